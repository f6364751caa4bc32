import type { WorkerSpec } from '../../workers/worker-process.ts';
import { type ClusterFlags, clusterArgs } from '../options/cluster-options.ts';
import type { CopyFlags } from '../options/copy-options.ts';

/** The worker's arguments: the user's cluster and copy flags, the shard, and its share of the limits. */
export function workerArgs(
  planFile: string,
  stateDir: string,
  flags: ClusterFlags & CopyFlags & { metricsReport?: boolean; metricsPartitions?: boolean },
  spec: WorkerSpec,
): string[] {
  // Each second: the supervisor combines the workers' progress and shows it at its own --progress-interval.
  const args = ['--json', '--progress-interval', '1s', 'copy', planFile, '--supervised', '--state-dir', stateDir];
  if (spec.shard) args.push('--shard', `${spec.shard.index}/${spec.shard.count}`);
  args.push(...clusterArgs(flags));
  const given: Array<[string, string | undefined]> = [
    ['--mode', flags.mode],
    ['--checkpoint-topic', flags.checkpointTopic],
    ['--max-rate', spec.maxRatePerSec?.toString()],
    ['--memory-budget', spec.memoryBudgetBytes?.toString()],
    ['--compression', flags.compression],
    ['--wait-timeout', flags.waitTimeout],
  ];
  for (const [flag, value] of given) if (value !== undefined) args.push(flag, value);
  if (flags.acceptOverlap) args.push('--accept-overlap');
  if (flags.acceptDestinationLoss) args.push('--accept-destination-loss');
  if (flags.keepMarginHours !== undefined) args.push('--keep-margin-hours', flags.keepMarginHours);
  if (flags.passthrough === false) args.push('--no-passthrough');
  // The supervisor serves the job's metrics: each worker reports its own to it.
  if (flags.metricsReport) args.push('--metrics-report');
  if (flags.metricsReport && flags.metricsPartitions) args.push('--metrics-partitions');
  return args;
}
