import { ATTRIBUTE, BATCH, type BatchView } from '../../kafka/wire/batch/batch-header.ts';
import { checkBatchCrc } from '../../kafka/wire/batch/batch-crc.ts';
import { decompressionScratch, recordsSection } from '../../kafka/wire/batch/batch-records-section.ts';
import { RecordCursor } from '../../kafka/wire/batch/record-cursor.ts';
import type { RawRecordFilter } from '../../plan/filter/raw-record-filter.ts';
import { type Allocate, type RawRecord, joinRecords } from './batch-merge.ts';

/** Whether a batch can be filtered without decoding it into records: a v2 data batch with CreateTime timestamps. */
export function canFilterInPlace(batch: BatchView): boolean {
  return batch.magic === 2 && (batch.attributes & (ATTRIBUTE.control | ATTRIBUTE.logAppendTime)) === 0;
}

export interface FilteredBatch {
  /** The kept records as one batch (the source batch itself when all are kept); null when none. */
  bytes: Buffer | null;
  kept: number;
}

/**
 * A tenant filter applied to a batch without decoding it into record objects: each record is
 * matched against its stored bytes, and the kept ones are joined as stored (see joinRecords) into
 * an uncompressed batch. A compressed batch is decompressed first; one whose records all match
 * goes on as it is, still compressed.
 */
export function filterBatch(batch: BatchView, matches: RawRecordFilter, allocate: Allocate = Buffer.allocUnsafe): FilteredBatch {
  checkBatchCrc(batch);
  const records = recordsSection(batch, decompressionScratch);
  const base = Number(batch.bytes.readBigInt64BE(BATCH.baseTimestamp));
  const count = batch.bytes.readInt32BE(BATCH.recordCount);
  const cursor = new RecordCursor(records);
  const kept: RawRecord[] = [];
  for (let i = 0; i < count; i++) {
    const end = cursor.enterRecord();
    const start = cursor.position;
    if (matches(records, start)) kept.push({ timestamp: base + cursor.timestampDelta, tail: records.subarray(start, end) });
    cursor.position = end;
  }
  if (kept.length === 0) return { bytes: null, kept: 0 };
  // All kept and numbered without gaps: the batch goes as it is, like an unfiltered one.
  if (kept.length === count && batch.recordCount === batch.lastOffsetDelta + 1) return { bytes: batch.bytes, kept: count };
  return { bytes: joinRecords(kept, allocate), kept: kept.length };
}
