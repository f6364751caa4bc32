import { BATCH, LOG_OVERHEAD } from '../kafka/batch-header.ts';
import type { KafkaCluster } from '../kafka/cluster.ts';
import { type StoredBatch, forEachCommittedBatch } from '../kafka/committed-batches.ts';
import { type FetchPosition, type FetchedPartition, PartitionFetcher } from '../kafka/partition-fetcher.ts';

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
  onRetry?: (message: string) => void;
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
  /** Got nothing in the last fetch: goes first in the next request (see FetchedPartition.leading). */
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
  const lanes: Lane<R>[] = ranges.filter((r) => r.from < r.end).map((range) => ({ range, position: { topic: range.topic, partition: range.partition, offset: range.from, end: range.end }, starved: false, stopped: false }));
  const byPosition = new Map(lanes.map((lane) => [lane.position, lane]));
  const request = (): Promise<FetchedPartition[]> | null => {
    const active = lanes.filter((l) => !l.stopped && l.position.offset < l.position.end).sort((a, b) => Number(b.starved) - Number(a.starved));
    return active.length === 0 || options.signal?.aborted ? null : fetcher.fetch(active.map((l) => l.position));
  };
  let pending = request();
  while (pending) {
    const fetched = await pending;
    for (const part of fetched) {
      const lane = byPosition.get(part.position)!;
      advance(lane, part);
      if (options.firstStretchOnly && !lane.starved) lane.position.offset = lane.position.end;
    }
    pending = request();
    try {
      for (const part of fetched) {
        const lane = byPosition.get(part.position)!;
        if (lane.stopped) continue;
        forEachCommittedBatch(part.raw.records, part.raw.abortedTransactions, part.from, part.position.end, (batch) => {
          if (!lane.stopped && visitor.batch(lane.range, batch) === 'stop') lane.stopped = true;
        }, options.checkCrc ?? true);
        visitor.stretchDone?.(lane.range);
      }
    } catch (error) {
      // The request read ahead is not waited for; its failure must not go unhandled.
      pending?.catch(() => undefined);
      throw error;
    } finally {
      for (const release of new Set(fetched.map((f) => f.release))) release();
    }
  }
}

/**
 * Moves a lane past the whole batches a fetch brought. When none came and the partition led its
 * request, the log holds nothing more below the end if it is stable past it (compacted away);
 * otherwise its next batch was too large to come without leading.
 */
function advance<R>(lane: Lane<R>, part: FetchedPartition): void {
  const next = wholeBatchesEnd(part.raw.records, part.from, part.position.end);
  lane.starved = false;
  if (next > part.from) lane.position.offset = next;
  else if (part.leading && part.raw.records.length === 0 && part.raw.lastStableOffset >= part.position.end) lane.position.offset = part.position.end;
  else lane.starved = true;
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
