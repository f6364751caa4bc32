import type { KafkaCluster } from './cluster.ts';
import { type FetchOptions, DEFAULT_FETCH, fetchPartition } from './fetch.ts';
import type { FetchedRecord } from './record.ts';

export interface RangeChunk {
  records: FetchedRecord[];
  /** Every offset below this has been seen. */
  nextOffset: bigint;
}

/**
 * Streams the committed records of partition offsets [start, end), chunk by chunk. Offsets that
 * hold no data (control records, aborted transactions, compacted-away records) are passed over.
 */
export async function* readRange(
  cluster: KafkaCluster,
  topic: string,
  partition: number,
  start: bigint,
  end: bigint,
  options: FetchOptions = DEFAULT_FETCH,
  signal?: AbortSignal,
): AsyncGenerator<RangeChunk> {
  let offset = start;
  while (offset < end) {
    if (signal?.aborted) return;
    const result = await fetchPartition(cluster, topic, partition, offset, options);
    const records = result.records.filter((r) => r.offset < end);
    const stableEnd = options.readCommitted ? result.lastStableOffset : result.highWatermark;
    let next = result.nextOffset > offset ? result.nextOffset : offset;
    // Nothing left in the log below `end` (compaction removed the tail of the range).
    if (result.records.length === 0 && next === offset && stableEnd >= end) next = end;
    if (next > end) next = end;
    if (records.length > 0 || next > offset) yield { records, nextOffset: next };
    offset = next;
  }
}
