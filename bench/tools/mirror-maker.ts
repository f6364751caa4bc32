import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { measure } from '../measure.ts';
import { javaCommand } from './java.ts';
import { type Tool, type ToolContext, type ToolResult, copyResult, freshDestinationTopic } from './tool.ts';

const TARGET = 'dst';
/** As bin/connect-mirror-maker.sh sets it. */
const HEAP = '2g';

/**
 * MirrorMaker 2 in dedicated mode, source → target for the one topic, default settings apart from
 * the ones a benchmark needs (no heartbeats, checkpoints or group-offset sync; replication factor 1).
 * The source alias is new on every run, so the target topic (`<alias>.<topic>`, the default
 * replication policy) and MM2's own offset/config/status topics are fresh: nothing is resumed.
 * MM2 never exits by itself: it is stopped once the target's end offsets add up to the record count.
 */
export const mirrorMakerTool: Tool = {
  name: 'mm2',
  summary: 'MirrorMaker 2 (dedicated mode, tasks.max=2), stopped once the target holds every record',
  atLeastOnce: true,
  run: runMirrorMaker,
};

async function runMirrorMaker(context: ToolContext): Promise<ToolResult> {
  const { profile, source, destination } = context;
  const alias = `s${randomBytes(3).toString('hex')}`;
  const destinationTopic = await freshDestinationTopic(context, `${alias}.${context.sourceTopic}`);
  const propertiesFile = path.join(context.workDir, 'mm2.properties');
  await writeFile(propertiesFile, mm2Properties(alias, source.bootstrap, destination.bootstrap, context.sourceTopic));
  const logFile = path.join(context.workDir, 'mm2.log');
  const java = javaCommand(context.libsDir, 'org.apache.kafka.connect.mirror.MirrorMaker', [propertiesFile], HEAP, logFile);
  const progress = () => destination.endOffsetSum(destinationTopic, profile.partitions);
  const measured = await measure({
    ...java,
    logFile,
    timeoutMs: context.timeoutMs,
    progress,
    target: profile.records,
    stopAtTarget: true,
    signal: context.signal,
  });
  return copyResult(context, destinationTopic, measured, { alias, heap: HEAP, properties: propertiesFile });
}

function mm2Properties(alias: string, sourceBootstrap: string, targetBootstrap: string, topic: string): string {
  const lines = {
    clusters: `${alias}, ${TARGET}`,
    [`${alias}.bootstrap.servers`]: sourceBootstrap,
    [`${TARGET}.bootstrap.servers`]: targetBootstrap,
    [`${alias}->${TARGET}.enabled`]: 'true',
    [`${alias}->${TARGET}.topics`]: topic.replace(/[.]/g, '\\\\.'),
    [`${TARGET}->${alias}.enabled`]: 'false',
    'tasks.max': '2',
    // MM2's own start-up warning recommends this: skip scanning every jar for plugins (saves ~15 s per start).
    'plugin.discovery': 'service_load',
    'sync.topic.configs.enabled': 'true',
    'sync.topic.acls.enabled': 'false',
    'sync.group.offsets.enabled': 'false',
    'emit.checkpoints.enabled': 'false',
    'emit.heartbeats.enabled': 'false',
    'replication.factor': '1',
    'checkpoints.topic.replication.factor': '1',
    'heartbeats.topic.replication.factor': '1',
    'offset-syncs.topic.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'config.storage.replication.factor': '1',
  };
  return `${Object.entries(lines)
    .map(([key, value]) => `${key} = ${value}`)
    .join('\n')}\n`;
}
