import { availableParallelism } from 'node:os';
import type { Plan } from '../plan/plan.ts';
import { type ShardRef, usefulShardCount } from '../shard/shard-layout.ts';
import type { RecordedLayout } from './recorded-layout.ts';
import type { WorkerSpec } from './worker-process.ts';

export type WorkerCount = number | 'auto';

export interface WorkerLayout {
  /** What to copy, one entry per worker run; null: the whole plan. */
  shards: Array<ShardRef | null>;
  /** Workers running at a time. */
  concurrency: number;
  /** Why the layout differs from what was asked, for the user. */
  notes: string[];
}

/**
 * How many shards and workers. A job started before keeps its layout (another shard count would
 * cover other partitions and copy records twice); otherwise N shards, N the number asked for (auto:
 * the cores), at most the shards worth running. One shard is copied as the whole plan, as a plain
 * `copy` would, so a later run with or without --workers continues it.
 */
export function chooseLayout(plan: Plan, wanted: WorkerCount, existing: RecordedLayout, cores = availableParallelism()): WorkerLayout {
  const asked = wanted === 'auto' ? cores : wanted;
  if (existing.kind === 'whole') {
    return { shards: [null], concurrency: 1, notes: asked === 1 ? [] : ["this plan's copy was begun whole, without shards: continuing it with one worker"] };
  }
  if (existing.kind === 'sharded') {
    const count = existing.count;
    const concurrency = Math.min(asked, count);
    const notes = asked === count ? [] : [`this plan\'s copy was begun as ${count} shards: continuing them with ${concurrency} worker(s) at a time`];
    return { shards: Array.from({ length: count }, (_, index) => ({ index, count })), concurrency, notes };
  }
  const count = usefulShardCount(plan, asked);
  const notes = count < asked ? [`${count} worker(s), not ${asked}: the plan has records in ${count} shardable unit(s) only`] : [];
  if (count === 1) return { shards: [null], concurrency: 1, notes };
  return { shards: Array.from({ length: count }, (_, index) => ({ index, count })), concurrency: count, notes };
}

/** The job's limits split evenly: each of `concurrency` workers gets its share. */
export function workerShare(
  limits: { maxRatePerSec?: number | undefined; memoryBudgetBytes?: number | undefined },
  concurrency: number,
): Omit<WorkerSpec, 'shard'> {
  const share: Omit<WorkerSpec, 'shard'> = {};
  if (limits.maxRatePerSec !== undefined) share.maxRatePerSec = Math.max(1, Math.floor(limits.maxRatePerSec / concurrency));
  if (limits.memoryBudgetBytes !== undefined) share.memoryBudgetBytes = Math.max(MIN_MEMORY_BUDGET, Math.floor(limits.memoryBudgetBytes / concurrency));
  return share;
}

const MIN_MEMORY_BUDGET = 1024 * 1024;
