import { hash } from 'node:crypto';
import { CanonicalRecordBytes } from '../keyed-canonical-record.ts';
import type { DigestFields } from '../record-digest.ts';

/**
 * sha256 of one record: its timestamp (8 bytes, unless the plan does not compare them) followed
 * by key, value and headers as Kafka stores them, with the shortest varints — for nearly every
 * record the bytes StreamDigest feeds for it, read in place (see there why stored bytes). One
 * one-shot hash per record: key-hash verify needs each record's own digest (for the order-free
 * sum and the per-key order check).
 */
export class StoredRecordDigest {
  readonly #bytes: CanonicalRecordBytes;

  constructor(fields: DigestFields) {
    this.#bytes = new CanonicalRecordBytes(fields);
  }

  /** The record whose key length starts at `tailStart` and which ends at `end` in `records`. */
  of(records: Buffer, tailStart: number, end: number, timestamp: number): Buffer {
    const bytes = this.#bytes;
    bytes.load(records, tailStart, end, timestamp);
    return hash('sha256', bytes.buffer.subarray(bytes.start, bytes.end), 'buffer');
  }
}
