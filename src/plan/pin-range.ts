import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import type { RangePoint } from './plan.ts';
import { firstRecordsAtOrAfter } from './time-bound.ts';

export interface PinnedPartition {
  partition: number;
  start: bigint;
  end: bigint;
  logStart: bigint;
  stableEnd: bigint;
}

export function describePoint(point: RangePoint): string {
  switch (point.kind) {
    case 'earliest':
    case 'latest':
      return point.kind;
    case 'offset':
      return `offset:${point.offset}`;
    case 'timestamp':
      return `time:${new Date(Number(point.ms)).toISOString()}`;
  }
}

async function offsetsForTime(
  cluster: KafkaCluster,
  topic: string,
  partitions: number[],
  ms: bigint,
  stable: Map<number, bigint>,
): Promise<Map<number, bigint>> {
  const listed = await cluster.listOffsets(topic, partitions, { kind: 'timestamp', ms });
  // -1: no record at or after that time, so the point lies past the end.
  const lookedUp = new Map(listed.map((l) => [l.partition, l.offset < 0n ? stable.get(l.partition)! : l.offset]));
  return firstRecordsAtOrAfter(cluster, topic, lookedUp, stable, ms);
}

const clamp = (value: bigint, low: bigint, high: bigint): bigint => (value < low ? low : value > high ? high : value);

/**
 * Turns the user's range into exact offsets per partition: [start, end), end exclusive, never
 * past the last stable offset (read_committed), never before the log start.
 */
export async function pinRange(cluster: KafkaCluster, topic: string, partitions: number[], from: RangePoint, to: RangePoint): Promise<PinnedPartition[]> {
  const earliest = new Map((await cluster.listOffsets(topic, partitions, { kind: 'earliest' })).map((l) => [l.partition, l.offset]));
  const stable = new Map((await cluster.listOffsets(topic, partitions, { kind: 'latest' }, true)).map((l) => [l.partition, l.offset]));
  const starts = from.kind === 'timestamp' ? await offsetsForTime(cluster, topic, partitions, from.ms, stable) : undefined;
  const ends = to.kind === 'timestamp' ? await offsetsForTime(cluster, topic, partitions, to.ms, stable) : undefined;
  if (from.kind === 'timestamp' && to.kind === 'timestamp' && from.ms > to.ms) {
    throw new KrerouteError('BAD_INPUT', 'the range starts after it ends', { hint: 'give --from a time before --to' });
  }
  if (from.kind === 'offset' && to.kind === 'offset' && from.offset > to.offset) {
    throw new KrerouteError('BAD_INPUT', 'the range starts after it ends', { hint: 'give --from an offset below --to' });
  }
  return partitions.map((partition) => {
    const logStart = earliest.get(partition) ?? 0n;
    const stableEnd = stable.get(partition) ?? 0n;
    const rawStart = from.kind === 'earliest' ? logStart : from.kind === 'latest' ? stableEnd : from.kind === 'offset' ? from.offset : starts!.get(partition)!;
    const start = clamp(rawStart, logStart, stableEnd);
    const rawEnd = to.kind === 'latest' ? stableEnd : to.kind === 'earliest' ? logStart : to.kind === 'offset' ? to.offset : ends!.get(partition)!;
    const end = clamp(rawEnd, start, stableEnd);
    return { partition, start, end, logStart, stableEnd };
  });
}
