import { crc32c } from '@node-rs/crc32';
import type { RecordContent } from '../record.ts';
import { varIntSize, varLongSize, writeVarInt, writeVarLong } from '../varint.ts';

export interface BatchIdentity {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
}

/** Fixed part of a v2 batch: baseOffset … recordCount. */
export const BATCH_OVERHEAD = 61;
const CRC_START = 21;

function bytesSize(value: Buffer | null): number {
  return value === null ? 1 : varIntSize(value.length) + value.length;
}

function recordBodySize(record: RecordContent & { raw?: Buffer }, offsetDelta: number, timestampDelta: bigint): number {
  if (record.raw) return 1 + varLongSize(timestampDelta) + varIntSize(offsetDelta) + record.raw.length;
  let size = 1 + varLongSize(timestampDelta) + varIntSize(offsetDelta) + bytesSize(record.key) + bytesSize(record.value);
  size += varIntSize(record.headers.length);
  for (const [key, value] of record.headers) size += bytesSize(key) + bytesSize(value);
  return size;
}

/** Bytes one record adds to an uncompressed batch (an upper bound: deltas are taken as large). */
export function encodedRecordSize(record: RecordContent): number {
  const body = recordBodySize(record, 0x7fffffff, 0x7fffffffffffn);
  return varIntSize(body) + body;
}

function writeBytes(buffer: Buffer, position: number, value: Buffer | null): number {
  if (value === null) return writeVarInt(buffer, position, -1);
  position = writeVarInt(buffer, position, value.length);
  value.copy(buffer, position);
  return position + value.length;
}

/**
 * Encodes records into one uncompressed v2 record batch, exactly as a producer would: offsets
 * 0..n-1, CreateTime timestamps kept, headers kept in order with repeats and null values; a record
 * that carries its stored bytes (`raw`) has them copied instead of its fields. Written
 * by hand because the client library's encoder takes headers as a Map (repeats and nulls lost).
 */
export function encodeRecordBatch(records: Array<RecordContent & { raw?: Buffer }>, identity: BatchIdentity, options: { crc?: boolean } = {}): Buffer {
  if (records.length === 0) throw new Error('cannot encode an empty batch');
  let firstTimestamp = records[0]!.timestamp;
  let maxTimestamp = firstTimestamp;
  for (const r of records) {
    if (r.timestamp < firstTimestamp) firstTimestamp = r.timestamp;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  }
  const bodySizes = records.map((r, i) => recordBodySize(r, i, r.timestamp - firstTimestamp));
  let total = BATCH_OVERHEAD;
  for (const size of bodySizes) total += varIntSize(size) + size;

  const buffer = Buffer.allocUnsafe(total);
  buffer.writeBigInt64BE(0n, 0);
  buffer.writeInt32BE(total - 12, 8);
  buffer.writeInt32BE(-1, 12);
  buffer.writeInt8(2, 16);
  buffer.writeInt16BE(identity.transactional ? 1 << 4 : 0, 21);
  buffer.writeInt32BE(records.length - 1, 23);
  buffer.writeBigInt64BE(firstTimestamp, 27);
  buffer.writeBigInt64BE(maxTimestamp, 35);
  buffer.writeBigInt64BE(identity.producerId, 43);
  buffer.writeInt16BE(identity.producerEpoch, 51);
  buffer.writeInt32BE(identity.baseSequence, 53);
  buffer.writeInt32BE(records.length, 57);
  let position = BATCH_OVERHEAD;
  records.forEach((record, i) => {
    position = writeVarInt(buffer, position, bodySizes[i]!);
    buffer.writeInt8(0, position++);
    position = writeVarLong(buffer, position, record.timestamp - firstTimestamp);
    position = writeVarInt(buffer, position, i);
    if (record.raw) {
      // Key, value and headers exactly as they were stored.
      buffer.set(record.raw, position);
      position += record.raw.length;
      return;
    }
    position = writeBytes(buffer, position, record.key);
    position = writeBytes(buffer, position, record.value);
    position = writeVarInt(buffer, position, record.headers.length);
    for (const [key, value] of record.headers) {
      position = writeBytes(buffer, position, key);
      position = writeBytes(buffer, position, value);
    }
  });
  // The pipelined producer stamps (and so checksums) every batch again: the copy skips this one.
  if (options.crc !== false) buffer.writeUInt32BE(crc32c(buffer.subarray(CRC_START)) >>> 0, 17);
  return buffer;
}
