import { BATCH } from '../kafka/wire/batch/batch-header.ts';
import type { StoredBatch } from '../kafka/wire/batch/committed-batches.ts';

/** The oldest and newest timestamp of the planned records of one destination partition (ms). */
export interface TimeSpan {
  oldest: number;
  newest: number;
}

/** As the verdict keeps it: purge reads what reached the destination after verify against it. */
export interface PlannedTimestamps {
  oldest: string;
  newest: string;
}

export function widenSpan(span: TimeSpan | null, oldest: number, newest: number): TimeSpan {
  if (!span) return { oldest, newest };
  if (oldest < span.oldest) span.oldest = oldest;
  if (newest > span.newest) span.newest = newest;
  return span;
}

/**
 * A batch's span from its header, without decoding it (verify digests forwarded batches whole):
 * the max timestamp is exact; the first record's timestamp stands for the oldest, which it is
 * unless a producer stamped a batch's records out of order (see withExactCount for exact plans).
 */
export function widenWithBatch(span: TimeSpan | null, batch: StoredBatch): TimeSpan {
  const newest = batch.appendTime ?? Number(batch.view.bytes.readBigInt64BE(BATCH.maxTimestamp));
  const oldest = batch.appendTime ?? Math.min(batch.baseTimestamp, newest);
  return widenSpan(span, oldest, newest);
}

export const plannedTimestamps = (span: TimeSpan | null | undefined): PlannedTimestamps | null =>
  span ? { oldest: String(span.oldest), newest: String(span.newest) } : null;
