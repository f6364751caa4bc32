import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { measure } from '../measure.ts';
import { type Tool, type ToolContext, type ToolResult, destinationName, freshDestinationTopic } from './tool.ts';

/**
 * kcat pipe: one `kcat -C … -p N | kcat -P … -p N` pipeline per partition, all at once, so every
 * record stays in its partition and in order. kcat's fastest text format that keeps the key is
 * its default one with -K (key, tab, value, newline; no -f or -J formatting). Limits of this peer,
 * which our data is shaped to avoid: the delimiters are not binary-safe (a tab or newline in a key
 * or value would split the record), and `kcat -P` cannot set per-record headers or timestamps, so
 * the copy drops both headers and takes new timestamps.
 */
export const kcatTool: Tool = {
  name: 'kcat',
  summary: 'kcat -C -K\\t | kcat -P -K\\t, one pipe per partition (keys and values kept; headers and timestamps not)',
  run: runKcat,
};

async function runKcat(context: ToolContext): Promise<ToolResult> {
  const { profile, factory, source, destination } = context;
  const destinationTopic = await freshDestinationTopic(context, destinationName(context, 'kcat'));
  const script = pipelineScript(source.bootstrap, context.sourceTopic, destination.bootstrap, destinationTopic, profile.partitions);
  const scriptFile = path.join(context.workDir, 'kcat-pipe.sh');
  await writeFile(scriptFile, script);
  const progress = () => destination.endOffsetSum(destinationTopic, profile.partitions);
  const measured = await measure({
    command: 'bash',
    args: [scriptFile],
    logFile: path.join(context.workDir, 'kcat.log'),
    timeoutMs: context.timeoutMs,
    progress,
    target: profile.records,
    signal: context.signal,
  });
  return {
    ...measured,
    records: profile.records,
    bytes: profile.records * factory.recordBytes,
    expected: profile.records,
    found: await destination.countRecords(destinationTopic, context.timeoutMs),
    details: { pipeline: script.split('\n').find((l) => l.includes('kcat -C'))?.trim() },
  };
}

function pipelineScript(sourceBootstrap: string, sourceTopic: string, destBootstrap: string, destTopic: string, partitions: number): string {
  return [
    '#!/usr/bin/env bash',
    '# One pipeline per partition; fails if any pipeline fails.',
    'pids=()',
    `for p in $(seq 0 ${partitions - 1}); do`,
    `  ( set -o pipefail; kcat -C -b ${sourceBootstrap} -t ${sourceTopic} -p "$p" -o beginning -e -q -K '\\t' \\`,
    `      | kcat -P -b ${destBootstrap} -t ${destTopic} -p "$p" -K '\\t' ) &`,
    '  pids+=("$!")',
    'done',
    'status=0',
    'for pid in "${pids[@]}"; do wait "$pid" || status=1; done',
    'exit "$status"',
    '',
  ].join('\n');
}
