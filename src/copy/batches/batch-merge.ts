import { ATTRIBUTE, BATCH, type BatchView } from '../../kafka/wire/batch/batch-header.ts';
import { checkBatchCrc } from '../../kafka/wire/batch/batch-crc.ts';
import { RecordCursor } from '../../kafka/wire/batch/record-cursor.ts';
import { varIntSize, varLongSize, writeVarInt, writeVarLong } from '../../kafka/wire/varint.ts';

/** Small batches are merged up to this size: per-request broker overhead dominates below it. */
export const MERGE_TARGET_BYTES = 1024 * 1024;
/** A batch this large already amortises a request; joining it would only cost a copy. */
export const SMALL_BATCH_BYTES = 128 * 1024;

export function canMerge(batch: BatchView): boolean {
  return (
    batch.bytes.length < SMALL_BATCH_BYTES &&
    batch.magic === 2 &&
    (batch.attributes & (ATTRIBUTE.compression | ATTRIBUTE.logAppendTime | ATTRIBUTE.control)) === 0
  );
}

/** Timestamp deltas below this (12 days in ms) are written as 32-bit varints, without BigInt. */
const SMALL_DELTA = 2 ** 30;

function deltaSize(delta: number): number {
  return Math.abs(delta) < SMALL_DELTA ? varIntSize(delta) : varLongSize(BigInt(delta));
}

export interface RawRecord {
  /** Milliseconds; exact as a double for any real clock (below 2^53). */
  timestamp: number;
  /** key, value and headers exactly as stored. */
  tail: Buffer;
}

export function* rawRecords(batch: Buffer): Generator<RawRecord> {
  const base = Number(batch.readBigInt64BE(BATCH.baseTimestamp));
  const count = batch.readInt32BE(BATCH.recordCount);
  const cursor = new RecordCursor(batch, BATCH.records);
  for (let i = 0; i < count; i++) {
    const end = cursor.enterRecord();
    yield { timestamp: base + cursor.timestampDelta, tail: batch.subarray(cursor.position, end) };
    cursor.position = end;
  }
}

/**
 * Joins uncompressed batches into one, without decoding keys, values or headers: each record keeps
 * its bytes, only its offset delta and timestamp delta (and so its length prefix) are written anew
 * against the joined batch's base. Producers often send small batches; a produce request carries
 * one batch per partition, so forwarding them one by one would be bound by per-request overhead.
 * The header (producer id, sequence, CRC) is left for the producer to stamp.
 */
export function mergeBatches(batches: BatchView[], allocate: Allocate = Buffer.allocUnsafe): Buffer {
  const records: RawRecord[] = [];
  for (const batch of batches) {
    // A batch built here (kept records of a filtered one) has no CRC yet; its source was checked.
    if (!batch.rebuilt) checkBatchCrc(batch);
    for (const record of rawRecords(batch.bytes)) records.push(record);
  }
  return joinRecords(records, allocate);
}

/** Where a rebuilt batch's bytes come from: a BufferPool's take, or plain allocation. */
export type Allocate = (size: number) => Buffer;

/** An uncompressed batch (header left for the producer to stamp) of records as stored, renumbered 0..n-1. */
export function joinRecords(records: RawRecord[], allocate: Allocate = Buffer.allocUnsafe): Buffer {
  let first = records[0]!.timestamp;
  let max = first;
  for (const r of records) {
    if (r.timestamp < first) first = r.timestamp;
    if (r.timestamp > max) max = r.timestamp;
  }
  const bodies = records.map((r, i) => 1 + deltaSize(r.timestamp - first) + varIntSize(i) + r.tail.length);
  let total: number = BATCH.records;
  for (const body of bodies) total += varIntSize(body) + body;
  const out = allocate(total);
  out.fill(0, 0, BATCH.records);
  out.writeInt32BE(total - 12, BATCH.length);
  out.writeInt8(2, BATCH.magic);
  out.writeInt32BE(records.length - 1, BATCH.lastOffsetDelta);
  out.writeBigInt64BE(BigInt(first), BATCH.baseTimestamp);
  out.writeBigInt64BE(BigInt(max), BATCH.maxTimestamp);
  out.writeInt32BE(records.length, BATCH.recordCount);
  let position: number = BATCH.records;
  records.forEach((record, i) => {
    position = writeVarInt(out, position, bodies[i]!);
    out[position++] = 0;
    const delta = record.timestamp - first;
    position = Math.abs(delta) < SMALL_DELTA ? writeVarInt(out, position, delta) : writeVarLong(out, position, BigInt(delta));
    position = writeVarInt(out, position, i);
    out.set(record.tail, position);
    position += record.tail.length;
  });
  return out;
}
