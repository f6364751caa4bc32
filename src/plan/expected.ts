import type { Plan, PlanPartition } from './plan.ts';

export type Expected = { records: number; bytes: number };

/**
 * What the plan expects each partition to hold: its exact count (plan --exact), else its share of
 * the plan's estimate in proportion to its offsets (the estimate knows how many of them a filter keeps).
 */
export function expectations(plan: Plan): (partition: PlanPartition) => Expected {
  const offsets = plan.topics.reduce((sum, t) => sum + t.partitions.reduce((s, p) => s + p.upperBound, 0), 0);
  return (partition) => {
    if (partition.exact) return { records: partition.exact.records, bytes: partition.exact.bytes };
    const share = offsets > 0 ? partition.upperBound / offsets : 0;
    return { records: Math.round(plan.estimate.records * share), bytes: Math.round(plan.estimate.bytes * share) };
  };
}
