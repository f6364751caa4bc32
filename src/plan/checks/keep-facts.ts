import { ignoreEvents } from '../../common/events.ts';
import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { countRanges } from '../count-ranges.ts';
import type { KeepFacts, PlannedPartition } from './destination-keep.ts';
import { expectations } from '../expected.ts';
import type { Plan, PlanTopic } from '../plan.ts';

/** What is known of one source partition's planned records. */
export interface PlannedRange {
  /** null: mapping key-hash, any destination partition may receive them. */
  destinationPartition: number | null;
  records: number;
  bytes: number;
  oldest: number | null;
  newest: number | null;
  /** Records without a key; null when not counted. */
  keyless: number | null;
}

/**
 * Facts of one destination topic from its planned ranges. Ranges mapped by key hash could all land
 * in one partition: they count as one partition holding them all, the one that holds the most now
 * (an upper bound, as the rule wants).
 */
export function keepFactsOf(
  topic: string,
  configs: Map<string, string>,
  ranges: PlannedRange[],
  destinationPartitions: number,
  existing: Map<number, number> | null,
  exact: boolean,
  bootstrap?: string,
): KeepFacts {
  const byPartition = new Map<number, PlannedPartition>();
  const fullest = [...Array(destinationPartitions).keys()].reduce((a, b) => ((existing?.get(b) ?? 0) > (existing?.get(a) ?? 0) ? b : a), 0);
  for (const range of ranges) {
    if (range.records === 0) continue;
    const partition = range.destinationPartition ?? fullest;
    const into = byPartition.get(partition) ?? {
      partition,
      records: 0,
      bytes: 0,
      existingBytes: existing ? (existing.get(partition) ?? 0) : null,
      oldest: null,
      newest: null,
    };
    into.records += range.records;
    into.bytes += range.bytes;
    into.oldest = min(into.oldest, range.oldest);
    into.newest = max(into.newest, range.newest);
    byPartition.set(partition, into);
  }
  const counted = ranges.filter((r) => r.records > 0 && r.keyless !== null);
  const keyless = counted.reduce((sum, r) => sum + r.keyless!, 0);
  return {
    topic,
    configs,
    partitions: [...byPartition.values()],
    keyless: keyless > 0 || counted.length === ranges.filter((r) => r.records > 0).length ? keyless : null,
    exact,
    ...(bootstrap ? { bootstrap } : {}),
  };
}

/**
 * The facts of every destination topic of a plan as the clusters are now, for copy, verify and
 * purge. `bytesToCome`: whether the planned bytes are still to be written (copy) or already in the
 * destination partitions' sizes (verify, purge).
 *
 * A plan made without --exact holds no timestamps: the oldest is read from the first stretch of
 * each source range (logs are appended in time order, mostly), and the newest is the source
 * partition's newest timestamp (ListOffsets max-timestamp), which is never below the range's: the
 * cheap reading, conservative for records from the future.
 */
export async function planKeepFacts(plan: Plan, source: KafkaCluster, destination: KafkaCluster, bytesToCome: boolean): Promise<KeepFacts[]> {
  const expected = expectations(plan);
  const facts: KeepFacts[] = [];
  for (const topic of plan.topics) {
    const configs = (await destination.topicConfigs(topic.destination)).all;
    const existing = await destination.partitionSizes(topic.destination, [...Array(topic.destinationPartitions).keys()]);
    const exact = topic.partitions.every((p) => p.exact !== null);
    const looked = exact
      ? new Map<number, { oldest: number | null; newest: number | null; keyless: number | null }>()
      : await lookAtRanges(plan, topic, source);
    const ranges: PlannedRange[] = topic.partitions.map((p) => {
      const share = expected(p);
      const seen = looked.get(p.partition);
      return {
        destinationPartition: plan.mapping === 'same' ? (p.destinationPartition ?? p.partition) : null,
        records: p.exact ? p.exact.records : p.upperBound,
        bytes: bytesToCome ? share.bytes : 0,
        oldest: p.exact ? toNumber(p.exact.minTimestamp) : (seen?.oldest ?? null),
        newest: p.exact ? toNumber(p.exact.maxTimestamp) : (seen?.newest ?? null),
        keyless: p.exact ? (p.exact.keylessRecords ?? null) : (seen?.keyless ?? null),
      };
    });
    facts.push({
      ...keepFactsOf(topic.destination, configs, ranges, topic.destinationPartitions, existing, exact, plan.destination.bootstrap),
      written: !bytesToCome,
    });
  }
  return facts;
}

/**
 * The start of each range still on the source (a sample) and the source partitions' newest
 * timestamps. A range already purged (a purge run again) has nothing left to look at.
 */
async function lookAtRanges(plan: Plan, topic: PlanTopic, source: KafkaCluster) {
  const result = new Map<number, { oldest: number | null; newest: number | null; keyless: number | null }>();
  const nonEmpty = topic.partitions.filter((p) => p.upperBound > 0);
  if (nonEmpty.length === 0) return result;
  const logStarts = new Map(
    (
      await source.listOffsets(
        topic.source,
        nonEmpty.map((p) => p.partition),
        { kind: 'earliest' },
        false,
      )
    ).map((l) => [l.partition, l.offset]),
  );
  const ranges = nonEmpty
    .map((p) => ({ topic: topic.source, partition: p.partition, from: maxBig(BigInt(p.start), logStarts.get(p.partition) ?? 0n), end: BigInt(p.end) }))
    .filter((r) => r.from < r.end);
  const planned = ranges.map((r) => ({ partition: r.partition }));
  if (planned.length === 0) return result;
  const [sampled, newest] = await Promise.all([
    countRanges(source, ranges, plan.filter, ignoreEvents, { sample: true }),
    sourceNewest(
      source,
      topic.source,
      planned.map((p) => p.partition),
    ),
  ]);
  for (const s of sampled) {
    result.set(s.partition, {
      oldest: toNumber(s.count.minTimestamp),
      newest: max(toNumber(s.count.maxTimestamp), newest.get(s.partition) ?? null),
      keyless: s.count.keylessRecords ? s.count.keylessRecords : null,
    });
  }
  return result;
}

/** Newest timestamp per source partition (ListOffsets max-timestamp): never below any planned record's. */
export async function sourceNewest(source: KafkaCluster, topic: string, partitions: number[]): Promise<Map<number, number>> {
  const listed = await source.listOffsets(topic, partitions, { kind: 'max-timestamp' }, false);
  return new Map(listed.filter((l) => l.offset >= 0n && l.timestamp >= 0n).map((l) => [l.partition, Number(l.timestamp)]));
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function toNumber(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function min(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function max(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
