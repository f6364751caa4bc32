import { ATTRIBUTE, BATCH, type BatchView } from '../kafka/batch-header.ts';
import { varIntSize, varLongSize, writeVarInt, writeVarLong } from '../kafka/varint.ts';

/** Small batches are merged up to this size: per-request broker overhead dominates below it. */
export const MERGE_TARGET_BYTES = 1024 * 1024;

export function canMerge(batch: BatchView): boolean {
  return batch.magic === 2 && (batch.attributes & (ATTRIBUTE.compression | ATTRIBUTE.logAppendTime | ATTRIBUTE.control)) === 0;
}

function readVarInt(buffer: Buffer, position: number): [value: number, next: number] {
  let raw = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = buffer[position++]!;
    raw |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80 && shift < 35);
  return [(raw >>> 1) ^ -(raw & 1), position];
}

function readVarLong(buffer: Buffer, position: number): [value: bigint, next: number] {
  let raw = 0n;
  let shift = 0n;
  let byte: number;
  do {
    byte = buffer[position++]!;
    raw |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  } while (byte & 0x80 && shift < 70n);
  return [(raw >> 1n) ^ -(raw & 1n), position];
}

interface RawRecord {
  timestamp: bigint;
  /** key, value and headers exactly as stored. */
  tail: Buffer;
}

function* rawRecords(batch: Buffer): Generator<RawRecord> {
  const base = batch.readBigInt64BE(BATCH.baseTimestamp);
  const count = batch.readInt32BE(BATCH.recordCount);
  let position: number = BATCH.records;
  for (let i = 0; i < count; i++) {
    const [length, bodyStart] = readVarInt(batch, position);
    const end = bodyStart + length;
    let p = bodyStart + 1; // attributes: unused in v2 records
    const [timestampDelta, afterTimestamp] = readVarLong(batch, p);
    p = afterTimestamp;
    const [, afterOffset] = readVarInt(batch, p);
    yield { timestamp: base + timestampDelta, tail: batch.subarray(afterOffset, end) };
    position = end;
  }
}

/**
 * Joins uncompressed batches into one, without decoding keys, values or headers: each record keeps
 * its bytes, only its offset delta and timestamp delta (and so its length prefix) are written anew
 * against the joined batch's base. Producers often send small batches; a produce request carries
 * one batch per partition, so forwarding them one by one would be bound by per-request overhead.
 * The header (producer id, sequence, CRC) is left for the producer to stamp.
 */
export function mergeBatches(batches: BatchView[]): Buffer {
  const records: RawRecord[] = [];
  for (const batch of batches) for (const record of rawRecords(batch.bytes)) records.push(record);
  let first = records[0]!.timestamp;
  let max = first;
  for (const r of records) {
    if (r.timestamp < first) first = r.timestamp;
    if (r.timestamp > max) max = r.timestamp;
  }
  const bodies = records.map((r, i) => 1 + varLongSize(r.timestamp - first) + varIntSize(i) + r.tail.length);
  let total: number = BATCH.records;
  for (const body of bodies) total += varIntSize(body) + body;
  const out = Buffer.allocUnsafe(total);
  out.fill(0, 0, BATCH.records);
  out.writeInt32BE(total - 12, BATCH.length);
  out.writeInt8(2, BATCH.magic);
  out.writeInt32BE(records.length - 1, BATCH.lastOffsetDelta);
  out.writeBigInt64BE(first, BATCH.baseTimestamp);
  out.writeBigInt64BE(max, BATCH.maxTimestamp);
  out.writeInt32BE(records.length, BATCH.recordCount);
  let position: number = BATCH.records;
  records.forEach((record, i) => {
    position = writeVarInt(out, position, bodies[i]!);
    out[position++] = 0;
    position = writeVarLong(out, position, record.timestamp - first);
    position = writeVarInt(out, position, i);
    record.tail.copy(out, position);
    position += record.tail.length;
  });
  return out;
}
