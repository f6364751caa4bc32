import { type KeyHash, hashRange } from './keyed-key-hash.ts';
import { CanonicalRecordBytes } from './keyed-canonical-record.ts';
import type { DigestFields } from './record-digest.ts';

/**
 * A record's 64-bit trace: hashRange (not cryptographic) over the bytes StoredRecordDigest hashes
 * with sha256 — its timestamp (8 bytes, unless the plan does not compare them) and key, value and
 * headers as stored, with the shortest varints — read in place, nothing allocated per record.
 * The same record always traces alike, however it was encoded and whoever wrote it.
 */
export class RecordTracer {
  readonly #bytes: CanonicalRecordBytes;

  constructor(fields: DigestFields) {
    this.#bytes = new CanonicalRecordBytes(fields);
  }

  /** The record whose key length starts at `tailStart` and which ends at `end` in `records`. */
  of(records: Buffer, tailStart: number, end: number, timestamp: number, out: KeyHash): KeyHash {
    const bytes = this.#bytes;
    bytes.load(records, tailStart, end, timestamp);
    return hashRange(bytes.buffer, bytes.start, bytes.end, out);
  }
}
