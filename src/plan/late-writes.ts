import { ignoreEvents } from '../common/events.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { openPlanCluster } from './plan-clusters.ts';
import { countRanges } from './count-ranges.ts';
import type { Plan, PlanTopic } from './plan.ts';

/** Matching records that reached one source topic after the plan's end. */
export interface TopicLateWrites {
  topic: string;
  records: number;
  /** Timestamps of the oldest and newest of them (epoch ms as a decimal string); null when none. */
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  /** Offsets after the plan's end, over all partitions (matching or not). */
  offsetsAfterEnd: number;
  /** Only the first `capPerPartition` offsets after the end of some partition were read: `records` is a lower bound. */
  capped: boolean;
}

export interface LateWrites {
  records: number;
  topics: TopicLateWrites[];
  capped: boolean;
}

/** What `status` reads of each partition after the plan's end: a status command stays quick. */
export const LATE_WRITES_CAP_PER_PARTITION = 100_000;

/** The plan's end of each of a topic's partitions. */
export function endsAfter(topic: PlanTopic): Map<number, bigint> {
  return new Map(topic.partitions.map((p) => [p.partition, BigInt(p.end)]));
}

/**
 * Records matching the plan's filter that reached the source after the plan's end (the tenant is
 * still writing to the wrong cluster): counted with plan's counting code, at most
 * `capPerPartition` offsets of each partition (Infinity: all of them). Partitions added to a topic
 * since the plan count from their log start.
 */
export async function countLateWrites(source: KafkaCluster, plan: Plan, capPerPartition = LATE_WRITES_CAP_PER_PARTITION): Promise<LateWrites> {
  return (await countAfter(source, plan, new Map(), capPerPartition)).late;
}

/** Where a count of late writes read to, per topic and partition: the next count can go on from there. */
export type ReadPositions = Map<string, Map<number, bigint>>;

/**
 * countLateWrites from `from` (per topic and partition; the plan's end where absent), and where it
 * read to: `reroute --follow` asks again and again, and reads each record once.
 */
export async function countAfter(
  source: KafkaCluster,
  plan: Plan,
  from: ReadPositions,
  capPerPartition = LATE_WRITES_CAP_PER_PARTITION,
): Promise<{ late: LateWrites; readTo: ReadPositions }> {
  const layouts = await source.topicLayouts(plan.topics.map((t) => t.source));
  const ranges: Array<{ topic: string; partition: number; from: bigint; end: bigint; fullEnd: bigint }> = [];
  for (const topic of plan.topics) {
    const partitionCount = layouts.get(topic.source)?.partitions ?? 0;
    if (partitionCount === 0) continue;
    const all = [...Array(partitionCount).keys()];
    const starts = endsAfter(topic);
    const stable = new Map((await source.listOffsets(topic.source, all, { kind: 'latest' }, true)).map((l) => [l.partition, l.offset]));
    const earliest = new Map((await source.listOffsets(topic.source, all, { kind: 'earliest' })).map((l) => [l.partition, l.offset]));
    for (const partition of all) {
      const logStart = earliest.get(partition) ?? 0n;
      const planned = from.get(topic.source)?.get(partition) ?? starts.get(partition) ?? logStart;
      const start = planned > logStart ? planned : logStart;
      const fullEnd = stable.get(partition) ?? start;
      if (fullEnd <= start) continue;
      const capped = Number.isFinite(capPerPartition) ? start + BigInt(capPerPartition) : fullEnd;
      ranges.push({ topic: topic.source, partition, from: start, end: capped < fullEnd ? capped : fullEnd, fullEnd });
    }
  }
  const counted = ranges.length === 0 ? [] : await countRanges(source, ranges, plan.filter, ignoreEvents);
  const topics = plan.topics.map((t): TopicLateWrites => {
    const mine = counted.map((c, i) => ({ c, range: ranges[i]! })).filter(({ range }) => range.topic === t.source);
    const times = mine
      .flatMap(({ c }) => (c.count.records > 0 ? [BigInt(c.count.minTimestamp!), BigInt(c.count.maxTimestamp!)] : []))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      topic: t.source,
      records: mine.reduce((sum, { c }) => sum + c.count.records, 0),
      firstTimestamp: times.length === 0 ? null : String(times[0]),
      lastTimestamp: times.length === 0 ? null : String(times.at(-1)),
      offsetsAfterEnd: mine.reduce((sum, { range }) => sum + Number(range.fullEnd - range.from), 0),
      capped: mine.some(({ range }) => range.end < range.fullEnd),
    };
  });
  const readTo: ReadPositions = new Map([...from].map(([topic, partitions]) => [topic, new Map(partitions)]));
  for (const range of ranges) {
    if (!readTo.has(range.topic)) readTo.set(range.topic, new Map());
    readTo.get(range.topic)!.set(range.partition, range.end);
  }
  return { late: { records: topics.reduce((sum, t) => sum + t.records, 0), topics, capped: topics.some((t) => t.capped) }, readTo };
}

/** countLateWrites with the plan's source cluster opened (and checked) for it. */
export async function lateWritesOf(plan: Plan, source: ClientSettings, capPerPartition = LATE_WRITES_CAP_PER_PARTITION): Promise<LateWrites> {
  const cluster = await openPlanCluster(plan, 'source', source);
  try {
    return await countLateWrites(cluster, plan, capPerPartition);
  } finally {
    await cluster.close();
  }
}
