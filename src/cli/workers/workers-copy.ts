import type { CopyOptions } from '../../copy/copy-plan.ts';
import type { Plan } from '../../plan/plan.ts';
import type { WorkersSummary } from '../../workers/workers-summary.ts';
import type { ClusterFlags } from '../options/cluster-options.ts';
import type { CopyFlags } from '../options/copy-options.ts';
import type { WorkerCount } from '../../workers/worker-layout.ts';
import { cliWorkerSpawner } from './worker-spawn.ts';

export type WorkersCopy = (plan: Plan, options: CopyOptions) => Promise<WorkersSummary>;

/** The copy step of `copy --workers` and `reroute --workers`: the plan's shards copied by worker processes of this CLI. */
export function workersCopy(
  planFile: string,
  workers: WorkerCount,
  flags: ClusterFlags & CopyFlags & { metricsPartitions?: boolean },
  onMetrics?: (shard: string, snapshot: unknown) => void,
): WorkersCopy {
  return async (plan, options) => {
    const { copyWithWorkers } = await import('../../workers/copy-with-workers.ts');
    // The workers report the progress; the stage is the supervisor's to say.
    options.metrics?.stage('copy');
    return copyWithWorkers(
      plan,
      {
        destination: options.destination,
        stateDir: options.stateDir,
        ...(options.checkpointTopic !== undefined ? { checkpointTopic: options.checkpointTopic } : {}),
        workers,
        ...(options.maxRatePerSec !== undefined ? { maxRatePerSec: options.maxRatePerSec } : {}),
        ...(options.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: options.memoryBudgetBytes } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(onMetrics ? { onMetrics } : {}),
      },
      cliWorkerSpawner(planFile, options.stateDir, { ...flags, metricsReport: onMetrics !== undefined }),
    );
  };
}
