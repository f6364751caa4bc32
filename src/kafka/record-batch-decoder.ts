import { Reader, readRecordsBatch } from '@platformatic/kafka';
import { ATTRIBUTE, BATCH, type BatchView } from './batch-header.ts';

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

function readVarInt(buffer: Buffer, at: { p: number }): number {
  let raw = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = buffer[at.p++]!;
    raw |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80 && shift < 35);
  return (raw >>> 1) ^ -(raw & 1);
}

function readVarLong(buffer: Buffer, at: { p: number }): bigint {
  let raw = 0n;
  let shift = 0n;
  let byte: number;
  do {
    byte = buffer[at.p++]!;
    raw |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  } while (byte & 0x80 && shift < 70n);
  return (raw >> 1n) ^ -(raw & 1n);
}

function readBytes(buffer: Buffer, at: { p: number }): Buffer | null {
  const length = readVarInt(buffer, at);
  if (length < 0) return null;
  const bytes = buffer.subarray(at.p, at.p + length);
  at.p += length;
  return bytes;
}

/**
 * Decodes a v2 batch. Uncompressed ones are read here: keys, values and headers are views into the
 * fetched bytes, and each record keeps its stored bytes (`raw`), so a filtered copy re-encodes a
 * record with one copy instead of field by field. The library's decoder, used for compressed
 * batches, reads through a chunked buffer and copies every field.
 */
export function decodeBatch(batch: BatchView): DecodedBatch {
  const bytes = batch.bytes;
  if ((batch.attributes & ATTRIBUTE.compression) !== 0) return readRecordsBatch(Reader.from(bytes));
  const records: DecodedRecord[] = [];
  const count = bytes.readInt32BE(BATCH.recordCount);
  const at = { p: BATCH.records };
  for (let i = 0; i < count; i++) {
    const length = readVarInt(bytes, at);
    const end = at.p + length;
    at.p++; // record attributes: unused
    const timestampDelta = readVarLong(bytes, at);
    const offsetDelta = readVarInt(bytes, at);
    const rawStart = at.p;
    const key = readBytes(bytes, at);
    const value = readBytes(bytes, at);
    const headerCount = readVarInt(bytes, at);
    const headers: Array<readonly [Buffer | null, Buffer | null]> = [];
    for (let h = 0; h < headerCount; h++) headers.push([readBytes(bytes, at), readBytes(bytes, at)]);
    if (at.p !== end) throw new Error(`record ${i} of the batch at offset ${batch.baseOffset} does not end where its length says`);
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
