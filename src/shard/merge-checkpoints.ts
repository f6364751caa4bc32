import type { CopyCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import type { Plan } from '../plan/plan.ts';

/**
 * The checkpoint of a whole plan from its shards' checkpoints, for verify: every producer id, every
 * source partition (shards share none), and per destination partition the widest span any shard
 * wrote (key-hash shards share destination partitions).
 */
export function mergeShardCheckpoints(plan: Plan, shards: CopyCheckpoint[]): CopyCheckpoint {
  const merged: CopyCheckpoint = {
    format: 'kreroute-checkpoint',
    version: 1,
    planHash: plan.hash,
    mode: shards.every((s) => s.mode === 'exactly-once') ? 'exactly-once' : 'at-least-once',
    producerIds: [...new Set(shards.flatMap((s) => s.producerIds))],
    sources: {},
    destinations: {},
    complete: shards.every((s) => s.complete),
    updatedAt:
      shards
        .map((s) => s.updatedAt)
        .sort()
        .at(-1) ?? '',
  };
  for (const shard of shards) {
    Object.assign(merged.sources, shard.sources);
    for (const [key, state] of Object.entries(shard.destinations)) {
      const seen = merged.destinations[key];
      if (!seen) {
        const { lastRun: _local, ...rest } = state;
        merged.destinations[key] = { ...rest };
        continue;
      }
      if (BigInt(state.scanFrom) < BigInt(seen.scanFrom)) seen.scanFrom = state.scanFrom;
      if (state.end !== null && (seen.end === null || BigInt(state.end) > BigInt(seen.end))) seen.end = state.end;
      seen.written += state.written;
      if (state.rebuilt === undefined || seen.rebuilt === undefined) delete seen.rebuilt;
      else seen.rebuilt = seen.rebuilt || state.rebuilt;
    }
  }
  return merged;
}
