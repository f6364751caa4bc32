import type { KafkaCluster } from '../client/cluster.ts';
import { EmptyAnswers, pause } from './empty-answers.ts';
import { type FetchOptions, DEFAULT_FETCH, fetchPartition } from './fetch.ts';
import type { FetchedRecord } from '../wire/record.ts';

export interface RangeChunk {
  records: FetchedRecord[];
  /** Every offset below this has been seen. */
  nextOffset: bigint;
}

/**
 * Streams the committed records of partition offsets [start, end), chunk by chunk. Offsets that
 * hold no data (control records, aborted transactions, compacted-away records) are passed over.
 * An answer without records ends the range only where the log proves nothing is left below
 * `end` (see EmptyAnswers); otherwise the partition is fetched again, `onWait` told every 5 s.
 */
export async function* readRange(
  cluster: KafkaCluster,
  topic: string,
  partition: number,
  start: bigint,
  end: bigint,
  options: FetchOptions = DEFAULT_FETCH,
  signal?: AbortSignal,
  onWait?: (message: string) => void,
): AsyncGenerator<RangeChunk> {
  const empties = new EmptyAnswers(cluster, { readCommitted: options.readCommitted, ...(onWait ? { onWait } : {}) });
  const position = { topic, partition, offset: start, end };
  while (position.offset < end) {
    if (signal?.aborted) return;
    const offset = position.offset;
    const result = await fetchPartition(cluster, topic, partition, offset, options);
    const records = result.records.filter((r) => r.offset < end);
    let next = result.nextOffset > offset ? result.nextOffset : offset;
    if (result.records.length === 0 && next === offset) {
      const proven = await empties.empty(position, result);
      if (proven === null) {
        await pause(empties.delayMs(position), signal);
        continue;
      }
      next = proven;
    } else {
      empties.progressed(position);
    }
    if (next > end) next = end;
    if (records.length > 0 || next > offset) yield { records, nextOffset: next };
    position.offset = next;
  }
}
