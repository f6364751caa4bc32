import { KrerouteError } from '../common/errors.ts';
import { sealPlan } from '../plan/plan-file.ts';
import type { Plan, PlanCheck, PlanTopic } from '../plan/plan.ts';
import { type ShardPurpose, type ShardRef, assignShards } from './shard-layout.ts';

export const shardLabel = (shard: ShardRef): string => `${shard.index}/${shard.count}`;

export function checkShardRef(plan: Plan, shard: ShardRef): void {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new KrerouteError('BAD_INPUT', `shard ${shardLabel(shard)} does not exist`, { hint: 'give --shard I/N with 0 ≤ I < N, e.g. --shard 0/4' });
  }
  if (plan.shard)
    throw new KrerouteError('BAD_INPUT', `this plan is already shard ${shardLabel(plan.shard)} of ${plan.shard.of.slice(0, 12)}`, {
      hint: 'shard the whole plan',
    });
}

/**
 * Shard I of N of a plan, as a plan of its own: the same plan, restricted to the shard's
 * partitions, sealed with a hash of its own. Its transactional id and checkpoint derive from that
 * hash, so shards never share either, and a second copier of one shard fences the first.
 */
export function shardPlan(plan: Plan, shard: ShardRef, purpose: ShardPurpose = 'copy'): Plan {
  checkShardRef(plan, shard);
  const units = assignShards(plan, shard.count, purpose)[shard.index]!;
  const taken = new Map<string, Set<number>>();
  for (const unit of units) {
    const partitions = taken.get(unit.source) ?? new Set<number>();
    for (const p of unit.partitions) partitions.add(p);
    taken.set(unit.source, partitions);
  }
  const topics: PlanTopic[] = [];
  for (const topic of plan.topics) {
    const partitions = taken.get(topic.source);
    if (partitions) topics.push({ ...topic, partitions: topic.partitions.filter((p) => partitions.has(p.partition)) });
  }
  const { hash: _whole, ...content } = plan;
  return sealPlan({
    ...content,
    topics,
    estimate: estimateOf(plan, topics),
    checks: plan.checks.filter((check) => concerns(plan, topics, check)),
    shard: { ...shard, of: plan.hash, purpose },
  });
}

/** The shard's share of the plan's estimate, in proportion to its partitions' records and bytes. */
function estimateOf(plan: Plan, topics: PlanTopic[]): Plan['estimate'] {
  const partitions = topics.flatMap((t) => t.partitions);
  const all = plan.topics.flatMap((t) => t.partitions);
  const bound = (list: typeof all): number => list.reduce((sum, p) => sum + p.upperBound, 0);
  if (plan.estimate.exact) {
    const records = partitions.reduce((sum, p) => sum + (p.exact?.records ?? 0), 0);
    const bytes = partitions.reduce((sum, p) => sum + (p.exact?.bytes ?? 0), 0);
    return { ...plan.estimate, records, bytes, seconds: plan.estimate.bytes > 0 ? Math.ceil((plan.estimate.seconds * bytes) / plan.estimate.bytes) : 0 };
  }
  const share = bound(all) > 0 ? bound(partitions) / bound(all) : 0;
  return {
    ...plan.estimate,
    records: Math.round(plan.estimate.records * share),
    bytes: Math.round(plan.estimate.bytes * share),
    seconds: Math.ceil(plan.estimate.seconds * share),
  };
}

/** A check belongs to a shard when it names one of its topics; an overlap, only where the shard writes. */
function concerns(plan: Plan, topics: PlanTopic[], check: PlanCheck): boolean {
  if (check.topic === undefined) return true;
  const topic = topics.find((t) => t.source === check.topic || t.destination === check.topic);
  if (!topic) return false;
  if (check.code !== 'OVERLAP' || check.partition === undefined || plan.mapping === 'key-hash') return true;
  return topic.partitions.some((p) => p.destinationPartition === check.partition);
}
