import { ignoreEvents } from '../common/events.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import type { Plan } from '../plan/plan.ts';
import { recordedLayout } from './recorded-layout.ts';
import { type RunWorkersOptions, runWorkers } from './run-workers.ts';
import { type WorkerCount, chooseLayout } from './worker-layout.ts';
import type { SpawnWorker } from './worker-process.ts';
import type { WorkersSummary } from './workers-summary.ts';

export interface WorkersOptions extends RunWorkersOptions {
  /** Where the shards' checkpoints are read from, to continue a job in the layout it was begun in. */
  destination: ClientSettings;
  /** The plan's state folder; each shard keeps its own in a subfolder (see shardStateDir). */
  stateDir: string;
  checkpointTopic?: string;
  /** Workers at a time; auto: the cores (os.availableParallelism). Either way at most the shards worth running. */
  workers: WorkerCount;
  /** Cores to assume for `auto` (default os.availableParallelism()). */
  cores?: number;
}

/**
 * Copies a plan with several worker processes on this machine, worker i copying shard i of N (see
 * shardPlan). Each shard resumes from its own checkpoint, so the same call again finishes what is
 * left; a job already begun (here or on other machines) keeps its layout.
 */
export async function copyWithWorkers(plan: Plan, options: WorkersOptions, spawn: SpawnWorker): Promise<WorkersSummary> {
  const recorded = await recordedLayout(plan, { ...options, onEvent: options.onEvent ?? ignoreEvents });
  return runWorkers(plan, chooseLayout(plan, options.workers, recorded, options.cores), options, spawn);
}
