import { BATCH, LOG_OVERHEAD } from '../wire/batch/batch-header.ts';
import type { KafkaCluster } from '../client/cluster.ts';
import { type StoredBatch, forEachCommittedBatch } from '../wire/batch/committed-batches.ts';
import { EmptyAnswers, pause } from './empty-answers.ts';
import { type FetchPosition, type FetchedPartition, PartitionFetcher } from './partition-fetcher.ts';

/** One partition range to read: offsets [from, end). */
export interface ScanRange {
  topic: string;
  partition: number;
  from: bigint;
  end: bigint;
}

export interface RangeVisitor<R extends ScanRange> {
  /**
   * A committed data batch with records in the range; its buffers are valid only during the call.
   * 'stop': the visitor needs nothing more of this range.
   */
  batch(range: R, batch: StoredBatch): void | 'stop';
  /** Every batch of one fetched stretch of the range has been visited. */
  stretchDone?(range: R): void;
}

export interface ScanOptions {
  /** Bytes one fetch request may bring back; two are held at a time (one read ahead). */
  fetchBytes?: number;
  /** Bytes one partition may bring back in a request (default 2 MB, at most fetchBytes). */
  partitionBytes?: number;
  signal?: AbortSignal;
  /** A fetch is retried, or a partition keeps answering without records (every 5 s). */
  onRetry?: (message: string) => void;
  /** How long a partition may answer without records while its log says more follow (see EmptyAnswers). */
  stallLimitMs?: number;
  /**
   * Check each batch's CRC32C (default). Verify does not need to: it compares the records' content
   * itself, so a damaged record shows as a difference either way; nor does a count.
   */
  checkCrc?: boolean;
  /** Read only the first stretch of each range that brings a whole batch: a sample of it. */
  firstStretchOnly?: boolean;
}

const DEFAULT_FETCH_BYTES = 16 * 1024 * 1024;

interface Lane<R> {
  range: R;
  position: FetchPosition;
  /** Got nothing in the last fetch without leading its request: goes first in the next request (see FetchedPartition.leading). */
  starved: boolean;
  /** The visitor said it needs nothing more of the range. */
  stopped: boolean;
}

/**
 * Reads many partition ranges of one cluster at once and hands their committed data batches,
 * undecoded, to a visitor: the read path of plan --exact and verify, the copy's own fetch path
 * (one Fetch per leader broker for all its partitions, raw bytes). The next request is sent before
 * the visitor walks the current response, so the broker reads while kreroute digests. Memory:
 * two responses of at most `fetchBytes` each, whatever the size of the ranges.
 */
export async function scanRanges<R extends ScanRange>(cluster: KafkaCluster, ranges: R[], visitor: RangeVisitor<R>, options: ScanOptions = {}): Promise<void> {
  const fetchBytes = options.fetchBytes ?? DEFAULT_FETCH_BYTES;
  const fetcher = new PartitionFetcher(cluster, {
    partitionMaxBytes: Math.min(fetchBytes, options.partitionBytes ?? 2 * 1024 * 1024),
    maxBytes: fetchBytes,
    maxWaitMs: 200,
    responseBufferBytes: 3 * fetchBytes,
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
  });
  try {
    await scanWith(fetcher, cluster, ranges, visitor, options);
  } finally {
    // Its connections and response buffers would otherwise stay until the cluster is closed.
    fetcher.close();
  }
}

async function scanWith<R extends ScanRange>(
  fetcher: PartitionFetcher,
  cluster: KafkaCluster,
  ranges: R[],
  visitor: RangeVisitor<R>,
  options: ScanOptions,
): Promise<void> {
  const lanes: Lane<R>[] = ranges
    .filter((r) => r.from < r.end)
    .map((range) => ({
      range,
      position: { topic: range.topic, partition: range.partition, offset: range.from, end: range.end },
      starved: false,
      stopped: false,
    }));
  const byPosition = new Map(lanes.map((lane) => [lane.position, lane]));
  const empties = new EmptyAnswers(cluster, {
    readCommitted: true,
    ...(options.onRetry ? { onWait: options.onRetry } : {}),
    ...(options.stallLimitMs ? { limitMs: options.stallLimitMs } : {}),
  });
  const request = (): Promise<FetchedPartition[]> | null => {
    const open = lanes.filter((l) => !l.stopped && l.position.offset < l.position.end);
    if (open.length === 0 || options.signal?.aborted) return null;
    // Lanes that got an answer without records wait their back-off; when all do, the request waits.
    const wait = Math.min(...open.map((l) => empties.delayMs(l.position)));
    const active = open.filter((l) => empties.delayMs(l.position) <= wait).sort((a, b) => Number(b.starved) - Number(a.starved));
    if (wait === 0) return fetcher.fetch(active.map((l) => l.position));
    return pause(wait, options.signal).then(() => (options.signal?.aborted ? [] : fetcher.fetch(active.map((l) => l.position))));
  };
  let pending = request();
  while (pending) {
    const fetched = await pending;
    try {
      for (const part of fetched) {
        const lane = byPosition.get(part.position)!;
        const moved = await advance(lane, part, empties);
        if (options.firstStretchOnly && moved) lane.position.offset = lane.position.end;
      }
    } catch (error) {
      for (const release of new Set(fetched.map((f) => f.release))) release();
      fetcher.stop();
      throw error;
    }
    pending = request();
    try {
      for (const part of fetched) {
        const lane = byPosition.get(part.position)!;
        if (lane.stopped) continue;
        forEachCommittedBatch(
          part.raw.records,
          part.raw.abortedTransactions,
          part.from,
          part.position.end,
          (batch) => {
            if (!lane.stopped && visitor.batch(lane.range, batch) === 'stop') lane.stopped = true;
          },
          options.checkCrc ?? true,
        );
        visitor.stretchDone?.(lane.range);
      }
    } catch (error) {
      // The request read ahead is not waited for: no retries (the clusters may be closed next), and its failure must not go unhandled.
      fetcher.stop();
      pending?.catch(() => undefined);
      throw error;
    } finally {
      for (const release of new Set(fetched.map((f) => f.release))) release();
    }
  }
}

/**
 * Moves a lane past the whole batches a fetch brought; returns whether it moved. An answer
 * without any batch moves it only where the log proves that nothing is left below the end (see
 * EmptyAnswers); a partition that did not lead its request may just not have got its next batch,
 * too large to come without leading.
 */
async function advance<R>(lane: Lane<R>, part: FetchedPartition, empties: EmptyAnswers): Promise<boolean> {
  const next = wholeBatchesEnd(part.raw.records, part.from, part.position.end);
  lane.starved = false;
  if (next > part.from) {
    lane.position.offset = next;
    empties.progressed(lane.position);
    return true;
  }
  if (!part.leading || part.raw.records.length > 0) {
    lane.starved = true;
    return false;
  }
  const proven = await empties.empty(lane.position, part.raw);
  if (proven === null) return false;
  lane.position.offset = proven;
  return true;
}

/** The offset after the last whole batch of a fetched partition (at most `end`); `from` if none. */
function wholeBatchesEnd(records: Buffer, from: bigint, end: bigint): bigint {
  let position = 0;
  let next = from;
  while (records.length - position >= BATCH.records) {
    const size = LOG_OVERHEAD + records.readInt32BE(position + BATCH.length);
    if (position + size > records.length) break;
    const base = records.readBigInt64BE(position);
    if (base >= end) return end;
    const last = base + BigInt(records.readInt32BE(position + BATCH.lastOffsetDelta));
    if (last + 1n > next) next = last + 1n;
    position += size;
  }
  return next < end ? next : end;
}
