import type { CheckpointView } from '../checkpoint/copy-checkpoint.ts';
import type { Plan } from '../plan/plan.ts';
import { filterMatchedNothing, plannedPartitions } from '../plan/unmatched-filter.ts';

/**
 * A filtered copy of a whole plan that read every range and copied nothing ends in EMPTY_RANGE:
 * the filter matched no record (a plan without --exact only sampled the start of each range).
 * A shard may rightly copy nothing; the verify of the whole plan says it for shards.
 */
export function refuseUnmatchedFilter(plan: Plan, checkpoint: CheckpointView): void {
  if (plan.filter === null || plan.shard) return;
  const sources = Object.values(checkpoint.sources);
  if (!sources.every((s) => s.done) || sources.some((s) => s.copied > 0)) return;
  const read = sources.reduce((sum, s) => sum + s.skipped, 0);
  throw filterMatchedNothing(plan.filter, plannedPartitions(plan), read, 'nothing was copied');
}
