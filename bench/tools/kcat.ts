import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type MeasureSpec, measure } from '../measure.ts';
import { type KcatEnds, type KcatPipe, copyScript } from './kcat-pipes.ts';
import { writeKcatConfig } from '../sasl-ssl.ts';
import { type Tool, type ToolContext, copyResult, destinationName, freshDestinationTopic } from './tool.ts';

/** The kcat copy (see kcat-pipes.ts): `kcat` one pipe per partition, `kcat-topic` one for the whole topic. */
export function kcatTool(pipe: KcatPipe): Tool {
  const name = pipe === 'partition' ? 'kcat' : 'kcat-topic';
  return {
    name,
    saslSsl: true,
    summary:
      pipe === 'partition'
        ? 'kcat -C -K\\t | kcat -P -K\\t, one pipe per partition (keys and values kept; headers and timestamps not)'
        : 'kcat -C -K\\t | kcat -P -K\\t, one pipe for the whole topic, partitioned by key on the destination (kcat -P cannot keep the partition; keys and values kept, headers and timestamps not)',
    run: async (context) => {
      const destinationTopic = await freshDestinationTopic(context, destinationName(context, name));
      const copy = await kcatCopy(context, pipe, destinationTopic);
      return copyResult(context, destinationTopic, await measure({ ...copy.spec, timeoutMs: context.timeoutMs }), copy.details);
    },
  };
}

/**
 * kcat-grep: the filtered copy an operator scripts, one pipe per partition:
 * `kcat -C -K\t | grep '^tenant-b-' | kcat -P -K\t -z <codec>`, the codec the source topic's.
 * For the tenants profiles (keys name the tenant; the other profiles' tenant is a header, which kcat's text pipe drops).
 */
export const kcatGrepTool: Tool = {
  name: 'kcat-grep',
  saslSsl: false,
  summary: "kcat -C -K\\t | grep '^tenant-b-' | kcat -P -K\\t -z <the source's codec>, one pipe per partition (tenants profiles only)",
  run: async (context) => {
    const grep = context.factory.filter.keyGrep;
    if (grep === null) throw new Error(`kcat-grep needs a profile whose keys name the tenant (tenants-lz4, tenants-zstd), not ${context.profile.name}`);
    const destinationTopic = await freshDestinationTopic(context, destinationName(context, 'kcat-grep'));
    const codec = context.profile.topicConfigs['compression.type'] ?? 'none';
    const copy = await kcatCopy(context, 'partition', destinationTopic, { grep, codec });
    const expected = context.factory.filteredCount(context.profile.records, context.profile.partitions);
    const result = await copyResult(context, destinationTopic, await measure({ ...copy.spec, target: expected, timeoutMs: context.timeoutMs }), {
      ...copy.details,
      destinationBytes: await context.destination.bytesOnDisk(destinationTopic),
    });
    return { ...result, expected };
  },
};

export function kcatEnds(context: ToolContext, destinationTopic: string): KcatEnds {
  return {
    sourceBootstrap: context.source.bootstrap,
    sourceTopic: context.sourceTopic,
    destBootstrap: context.destination.bootstrap,
    destTopic: destinationTopic,
    partitions: context.profile.partitions,
    // Over SASL_SSL the copy goes to that listener (kcatCopy adds the -F files).
    ...(context.saslSsl ? { sourceBootstrap: context.saslSsl.source.bootstrap, destBootstrap: context.saslSsl.destination.bootstrap } : {}),
  };
}

/** The copy script, written into the run's folder, and how to run it: done when it exits, progress from the destination's end offsets. */
export async function kcatCopy(
  context: ToolContext,
  pipe: KcatPipe,
  destinationTopic: string,
  filter?: KcatEnds['filter'],
): Promise<{ spec: Omit<MeasureSpec, 'timeoutMs'>; details: Record<string, unknown> }> {
  const { profile, destination } = context;
  const ends = { ...kcatEnds(context, destinationTopic), ...(filter ? { filter } : {}) };
  if (context.saslSsl) {
    ends.sourceConfig = await writeKcatConfig(path.join(context.workDir, 'kcat-source.conf'), context.saslSsl.source);
    ends.destConfig = await writeKcatConfig(path.join(context.workDir, 'kcat-destination.conf'), context.saslSsl.destination);
  }
  const script = copyScript(pipe, ends);
  const scriptFile = path.join(context.workDir, 'kcat-pipe.sh');
  await writeFile(scriptFile, script);
  return {
    spec: {
      command: 'bash',
      args: [scriptFile],
      logFile: path.join(context.workDir, 'kcat.log'),
      progress: () => destination.endOffsetSum(destinationTopic, profile.partitions),
      target: profile.records,
      signal: context.signal,
    },
    details: {
      pipe,
      pipeline: script
        .split('\n')
        .filter((l) => l.includes('kcat -'))
        .map((l) => l.trim())
        .join(' '),
    },
  };
}
