import type { ToolName } from '../options.ts';
import { kcatJobTool } from './kcat-job.ts';
import { kcatGrepTool, kcatTool } from './kcat.ts';
import { krerouteJobTool } from './kreroute-job.ts';
import { type KrerouteDriver, krerouteTool } from './kreroute.ts';
import { mirrorMakerTool } from './mirror-maker.ts';
import { consumerPerfTool, producerPerfTool } from './perf-tools.ts';
import type { Tool } from './tool.ts';

/** `bundle`: the built CLI's launcher, when `driver` is `bundle`. */
export function toolsByName(driver: KrerouteDriver, bundle: string | undefined, cpuProf: boolean): Record<ToolName, Tool> {
  return {
    kreroute: krerouteTool({ filtered: false, driver, bundle, cpuProf }),
    'kreroute-filter': krerouteTool({ filtered: true, driver, bundle, cpuProf }),
    'kreroute-records': krerouteTool({ filtered: false, recordMode: true, driver, bundle, cpuProf }),
    'kreroute-job': krerouteJobTool({ driver, bundle, cpuProf }),
    kcat: kcatTool('partition'),
    'kcat-topic': kcatTool('topic'),
    'kcat-grep': kcatGrepTool,
    'kcat-job': kcatJobTool('partition'),
    'kcat-topic-job': kcatJobTool('topic'),
    mm2: mirrorMakerTool,
    'consumer-perf': consumerPerfTool,
    'producer-perf': producerPerfTool,
  };
}
