import { Reader, readRecordsBatch } from '@platformatic/kafka';
import { ATTRIBUTE, BATCH, type BatchView } from './batch-header.ts';
import { checkBatchCrc } from './batch-crc.ts';
import { RecordCursor } from './record-cursor.ts';

export interface DecodedRecord {
  offsetDelta: number;
  timestampDelta: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<readonly [Buffer | null, Buffer | null]>;
  /** Key, value and headers exactly as stored (uncompressed batches): re-encoding copies them as they are. */
  raw?: Buffer;
}

/** What the copy needs of a decoded batch; the client library's RecordsBatch has the same shape. */
export interface DecodedBatch {
  firstOffset: bigint;
  attributes: number;
  lastOffsetDelta: number;
  firstTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  records: DecodedRecord[];
}

/**
 * Decodes a v2 batch. Uncompressed ones are read here: keys, values and headers are views into the
 * fetched bytes, and each record keeps its stored bytes (`raw`), so a filtered copy re-encodes a
 * record with one copy instead of field by field. The library's decoder, used for compressed
 * batches, reads through a chunked buffer and copies every field.
 */
export function decodeBatch(batch: BatchView): DecodedBatch {
  checkBatchCrc(batch);
  const bytes = batch.bytes;
  if ((batch.attributes & ATTRIBUTE.compression) !== 0) return readRecordsBatch(Reader.from(bytes));
  const records: DecodedRecord[] = [];
  const count = bytes.readInt32BE(BATCH.recordCount);
  const cursor = new RecordCursor(bytes, BATCH.records);
  for (let i = 0; i < count; i++) {
    const end = cursor.enterRecord();
    const { offsetDelta } = cursor;
    const timestampDelta = BigInt(cursor.timestampDelta);
    const rawStart = cursor.position;
    const key = cursor.bytes();
    const value = cursor.bytes();
    const headers: Array<readonly [Buffer | null, Buffer | null]> = [];
    for (let h = cursor.varInt(); h > 0; h--) headers.push([cursor.bytes(), cursor.bytes()]);
    if (cursor.position !== end) throw new Error(`record ${i} of the batch at offset ${batch.baseOffset} does not end where its length says`);
    records.push({ offsetDelta, timestampDelta, key, value, headers, raw: bytes.subarray(rawStart, end) });
  }
  return {
    firstOffset: batch.baseOffset,
    attributes: batch.attributes,
    lastOffsetDelta: batch.lastOffsetDelta,
    firstTimestamp: bytes.readBigInt64BE(BATCH.baseTimestamp),
    maxTimestamp: bytes.readBigInt64BE(BATCH.maxTimestamp),
    producerId: batch.producerId,
    records,
  };
}
