import { type KeyHash, hashRange } from './keyed-key-hash.ts';
import { hasShortestVarints, writeShortest } from './keyed-canonical-record.ts';
import type { DigestFields } from './record-digest.ts';

/**
 * A record's 64-bit trace: hashRange (not cryptographic) over the bytes StoredRecordDigest hashes
 * with sha256 — its timestamp (8 bytes, unless the plan does not compare them) and key, value and
 * headers as stored, with the shortest varints — read in place, nothing allocated per record.
 * The same record always traces alike, however it was encoded and whoever wrote it.
 */
export class RecordTracer {
  readonly #timestamps: boolean;
  #scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(fields: DigestFields) {
    this.#timestamps = fields === 'all';
  }

  /** The record whose key length starts at `tailStart` and which ends at `end` in `records`. */
  of(records: Buffer, tailStart: number, end: number, timestamp: number, out: KeyHash): KeyHash {
    const shortest = hasShortestVarints(records, tailStart, end);
    if (shortest && !this.#timestamps) return hashRange(records, tailStart, end, out);
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
    return hashRange(scratch, 0, at, out);
  }
}
