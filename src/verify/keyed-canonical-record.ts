import { RecordCursor } from '../kafka/wire/batch/record-cursor.ts';
import type { DigestFields } from './record-digest.ts';

/** Where the varint last read by shortestVarint ends, and where hasShortestVarints is. */
let varintEnd = 0;
let position = 0;

/** The zigzag varint at `start` (its end in varintEnd), or NaN when a shorter encoding of it exists. */
function shortestVarint(bytes: Uint8Array, start: number): number {
  let at = start;
  let raw = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[at++]!;
    raw |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80 && shift < 35);
  varintEnd = at;
  if (byte === 0 && at - start > 1) return Number.NaN; // a last group of zeros: padding
  return (raw >>> 1) ^ -(raw & 1);
}

/** Moves past the length-prefixed field at `position`; false when its length is padded. */
function skipField(bytes: Uint8Array): boolean {
  const length = shortestVarint(bytes, position);
  position = varintEnd + (length > 0 ? length : 0);
  return !Number.isNaN(length);
}

/**
 * Whether a stored record's key, value and headers (from `start`, its key length, to `end`) are
 * written with the shortest varints, as Kafka's clients and kreroute's encoder write them. The
 * copy re-encodes the records of compressed batches, so a source written with longer varints
 * would otherwise not digest as its copy.
 */
export function hasShortestVarints(records: Uint8Array, start: number, end: number): boolean {
  position = start;
  if (!skipField(records) || !skipField(records)) return false;
  let headers = shortestVarint(records, position);
  position = varintEnd;
  if (Number.isNaN(headers)) return false;
  for (; headers > 0; headers--) if (!skipField(records) || !skipField(records)) return false;
  return position === end;
}

function writeVarint(value: number, out: Buffer, at: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  while (raw > 0x7f) {
    out[at++] = (raw & 0x7f) | 0x80;
    raw >>>= 7;
  }
  out[at++] = raw;
  return at;
}

function writeField(bytes: Buffer | null, out: Buffer, at: number): number {
  if (bytes === null) return writeVarint(-1, out, at);
  at = writeVarint(bytes.length, out, at);
  bytes.copy(out, at);
  return at + bytes.length;
}

/**
 * Writes a stored record's key, value and headers (from `start`) to `out` at `at` with the
 * shortest varints; returns where they end. Never longer than as stored.
 */
export function writeShortest(records: Buffer, start: number, out: Buffer, at: number): number {
  const cursor = new RecordCursor(records, start);
  at = writeField(cursor.bytes(), out, at);
  at = writeField(cursor.bytes(), out, at);
  const headers = cursor.varInt();
  at = writeVarint(headers, out, at);
  for (let h = 0; h < headers; h++) {
    at = writeField(cursor.bytes(), out, at);
    at = writeField(cursor.bytes(), out, at);
  }
  return at;
}

/**
 * The bytes a record is digested by: its timestamp (8 bytes, unless the plan does not compare
 * them) followed by key, value and headers as Kafka stores them, with the shortest varints. Read in
 * place where they already are, else written to a reused scratch buffer: nothing allocated per
 * record. After load(), the bytes are buffer[start, end).
 */
export class CanonicalRecordBytes {
  readonly #timestamps: boolean;
  #scratch = Buffer.allocUnsafe(64 * 1024);
  buffer: Buffer = this.#scratch;
  start = 0;
  end = 0;

  constructor(fields: DigestFields) {
    this.#timestamps = fields === 'all';
  }

  /** The record whose key length starts at `tailStart` and which ends at `end` in `records`. */
  load(records: Buffer, tailStart: number, end: number, timestamp: number): void {
    const shortest = hasShortestVarints(records, tailStart, end);
    if (shortest && !this.#timestamps) {
      this.buffer = records;
      this.start = tailStart;
      this.end = end;
      return;
    }
    const size = 8 + end - tailStart;
    if (this.#scratch.length < size) this.#scratch = Buffer.allocUnsafe(Math.max(size, this.#scratch.length * 2));
    const scratch = this.#scratch;
    let at = 0;
    if (this.#timestamps) {
      // An int64 written from a double: exact for every timestamp below 2^53 ms.
      const high = Math.floor(timestamp / 0x100000000);
      scratch.writeInt32BE(high, 0);
      scratch.writeUInt32BE(timestamp - high * 0x100000000, 4);
      at = 8;
    }
    if (shortest) {
      records.copy(scratch, at, tailStart, end);
      at += end - tailStart;
    } else {
      at = writeShortest(records, tailStart, scratch, at);
    }
    this.buffer = scratch;
    this.start = 0;
    this.end = at;
  }
}
