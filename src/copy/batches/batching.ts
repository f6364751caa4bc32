import type { RecordContent } from '../../kafka/wire/record.ts';
import { BATCH_OVERHEAD, encodedRecordSize } from '../../kafka/wire/batch/record-batch-encoder.ts';

/** Largest batch we build: big enough for broker speed, small enough to keep memory and latency low. */
export const TARGET_BATCH_BYTES = 1024 * 1024;

/**
 * Splits records into batches that fit both our target and the destination's max.message.bytes.
 * A record bigger than the target gets a batch of its own; one bigger than the destination allows
 * is reported by the caller (plan checks make that rare).
 */
export function splitIntoBatches<T extends RecordContent>(records: T[], maxMessageBytes: number): T[][] {
  const limit = Math.min(TARGET_BATCH_BYTES, maxMessageBytes) - BATCH_OVERHEAD;
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const record of records) {
    const recordSize = encodedRecordSize(record);
    if (current.length > 0 && size + recordSize > limit) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += recordSize;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
