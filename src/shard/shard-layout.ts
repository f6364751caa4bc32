import type { Plan, PlanPartition, PlanTopic } from '../plan/plan.ts';

/** Shard I of N of a plan (0 ≤ index < count). */
export interface ShardRef {
  index: number;
  count: number;
}

/**
 * What a shard is made of. For a copy: the source partitions whose records land in one destination
 * partition (mapping "same"), or one source partition (mapping "key-hash", whose records spread
 * over all destination partitions anyway). Either way no destination partition gets records of
 * one source partition from two shards, and with "same" no destination partition has two writers.
 * For verify, which compares per destination partition: the same for "same", a whole topic for
 * "key-hash" (each destination partition needs every source partition of its topic).
 */
export interface ShardUnit {
  source: string;
  partitions: number[];
  bytes: number;
}

export type ShardPurpose = 'copy' | 'verify';

export function shardUnits(plan: Plan, purpose: ShardPurpose): ShardUnit[] {
  const bytesPerRecord = plan.estimate.records > 0 ? plan.estimate.bytes / plan.estimate.records : 1;
  const weight = (p: PlanPartition): number => p.exact?.bytes ?? p.upperBound * bytesPerRecord;
  const units: ShardUnit[] = [];
  for (const topic of plan.topics) {
    for (const group of groupsOf(plan, topic, purpose)) {
      units.push({ source: topic.source, partitions: group.map((p) => p.partition), bytes: group.reduce((sum, p) => sum + weight(p), 0) });
    }
  }
  return units;
}

function groupsOf(plan: Plan, topic: PlanTopic, purpose: ShardPurpose): PlanPartition[][] {
  if (plan.mapping === 'key-hash') return purpose === 'verify' ? [topic.partitions] : topic.partitions.map((p) => [p]);
  const byDestination = new Map<number, PlanPartition[]>();
  for (const p of topic.partitions) {
    const d = p.destinationPartition ?? p.partition;
    const group = byDestination.get(d);
    if (group) group.push(p);
    else byDestination.set(d, [p]);
  }
  return [...byDestination.values()];
}

/**
 * Cuts a plan's units into `count` shards balanced by bytes, not by partition count (partitions
 * are skewed): largest unit first, each to the shard with the fewest bytes so far (LPT). Ties are
 * broken by plan order and shard index, so every machine cuts the same plan the same way.
 */
export function assignShards(plan: Plan, count: number, purpose: ShardPurpose): ShardUnit[][] {
  const units = shardUnits(plan, purpose);
  const order = units.map((unit, position) => ({ unit, position })).sort((a, b) => b.unit.bytes - a.unit.bytes || a.position - b.position);
  const shards = Array.from({ length: count }, () => ({ units: [] as Array<{ unit: ShardUnit; position: number }>, bytes: 0 }));
  for (const entry of order) {
    let lightest = shards[0]!;
    for (const shard of shards)
      if (shard.bytes < lightest.bytes || (shard.bytes === lightest.bytes && shard.units.length < lightest.units.length)) lightest = shard;
    lightest.units.push(entry);
    lightest.bytes += entry.unit.bytes;
  }
  return shards.map((shard) => shard.units.sort((a, b) => a.position - b.position).map((entry) => entry.unit));
}

/** How many shards are worth running: no more than units that hold records. */
export function usefulShardCount(plan: Plan, wanted: number): number {
  const busy = shardUnits(plan, 'copy').filter((unit) => unit.bytes > 0).length;
  return Math.max(1, Math.min(wanted, busy));
}
