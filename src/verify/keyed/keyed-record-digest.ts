import { hash } from 'node:crypto';
import { hasShortestVarints, writeShortest } from '../keyed-canonical-record.ts';
import type { DigestFields } from '../record-digest.ts';

/**
 * sha256 of one record: its timestamp (8 bytes, unless the plan does not compare them) followed
 * by key, value and headers as Kafka stores them, with the shortest varints — for nearly every
 * record the bytes StreamDigest feeds for it, read in place (see there why stored bytes). One
 * one-shot hash per record: key-hash verify needs each record's own digest (for the order-free
 * sum and the per-key order check).
 */
export class StoredRecordDigest {
  readonly #timestamps: boolean;
  #scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(fields: DigestFields) {
    this.#timestamps = fields === 'all';
  }

  /** The record whose key length starts at `tailStart` and which ends at `end` in `records`. */
  of(records: Buffer, tailStart: number, end: number, timestamp: number): Buffer {
    const shortest = hasShortestVarints(records, tailStart, end);
    if (shortest && !this.#timestamps) return hash('sha256', records.subarray(tailStart, end), 'buffer');
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
    return hash('sha256', scratch.subarray(0, at), 'buffer');
  }
}
