import type { Plan } from '../plan/plan.ts';
import { filterMatchedNothing, plannedPartitions } from '../plan/unmatched-filter.ts';
import type { VerifyReport } from './report.ts';

/**
 * A filtered plan whose source ranges hold no matching record compares nothing with nothing: that
 * is no proof of a move, and most often a typo in the tenant's name. EMPTY_RANGE, and no verdict
 * for purge, instead of a verification that passed. A verify shard may rightly hold none.
 */
export function refuseUnmatchedFilter(plan: Plan, report: Omit<VerifyReport, 'planHash'>): void {
  if (plan.filter === null || plan.shard || !report.passed) return;
  if (report.partitions.some((p) => p.sourceCount > 0)) return;
  const read = report.otherRecords.reduce((sum, o) => sum + o.count, 0);
  throw filterMatchedNothing(plan.filter, plannedPartitions(plan), read, 'nothing was copied and there is nothing to verify or purge');
}
