import { type IHasher, createXXHash128 } from 'hash-wasm';
import { ATTRIBUTE, BATCH } from '../kafka/wire/batch/batch-header.ts';
import type { StoredBatch } from '../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../kafka/wire/batch/record-cursor.ts';
import type { RawRecordFilter } from '../plan/filter/raw-record-filter.ts';
import type { DigestFields } from './record-digest.ts';

/**
 * Why XXH3-128 and not sha256: verify reads every byte of both sides, and sha256 (even on the CPU's
 * SHA extensions) took 40% of its CPU; XXH3-128 here runs at about 4 GB/s against sha256's 1.7.
 *
 * Why 128 bits of a non-cryptographic hash are enough to gate a deletion: the digests compare two
 * sequences that differ, if at all, by faults (a record lost, written twice, reordered, cut,
 * damaged or mis-encoded), not by anyone's choice of bytes. XXH3-128 passes SMHasher's quality
 * tests, so such a difference leaves the digests equal with a chance of about 2^-128 per partition,
 * and the counts must be equal too. Choosing colliding records would take write access to both
 * clusters as the copy's own producer (verify digests only the copy's records on the destination),
 * and whoever has that can delete the data outright. Examples of differences are found record by
 * record with sha256 (see recordDigest), and purge's anchors use sha256.
 */
const createHasher = createXXHash128;

const RECORD_ITEM = 0x52;
const BATCH_ITEM = 0x42;

/** Records are gathered here and hashed in one update per batch (or per this many bytes). */
const SCRATCH_BYTES = 256 * 1024;

/**
 * The digest of one side of one destination partition: XXH3-128 over the sequence of its records,
 * each as a tag byte, its timestamp (8 bytes, unless the plan does not compare them) and key,
 * value and headers exactly as Kafka stores them (varint-length-prefixed, so the sequence parses
 * one way only: null stays apart from empty, and no field's bytes can pose as another's). Both
 * sides are read from their stored bytes, so no record is decoded to digest it.
 *
 * A batch that the copy forwards as it is (see DigestFeeder.addBatch) may stand in the sequence
 * for its records, as one item: its codec, base timestamp, record count and records section as
 * stored (compressed ones not decompressed). Equal items mean equal records, so equal digests still prove equal
 * sequences; but the same records as items on one side and records on the other digest apart,
 * and verify then digests that partition again with every batch's records (see verifySameMapping).
 * So do records a producer stored with longer varints than Kafka clients and kreroute's encoder
 * write, when the copy re-encoded them.
 */
export class StreamDigest {
  /** The hash's running state while another stream uses the hasher (see DigestFeeder). */
  state: Uint8Array | null = null;
  readonly timestamps: boolean;
  count = 0;
  digest: string | null = null;

  constructor(fields: DigestFields) {
    this.timestamps = fields === 'all';
  }
}

/** What addRecords added: counts, stored bytes, and where the last added record lies (lastTailStart -1: none). */
export interface AddedRecords {
  added: number;
  bytes: number;
  skipped: number;
  lastTailStart: number;
  lastTimestamp: number;
  lastOffsetDelta: number;
}

/**
 * Feeds records (visited synchronously, in order) into StreamDigests with one hasher and one
 * buffer for all of them: a record's bytes are copied once, the hash is updated once per batch,
 * and a stream's state is swapped in only when the feeder moves to another stream.
 */
export class DigestFeeder {
  readonly #hasher: IHasher;
  readonly #initial: Uint8Array;
  readonly #scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  readonly #cursor = new RecordCursor(Buffer.alloc(0));
  readonly #added: AddedRecords = { added: 0, bytes: 0, skipped: 0, lastTailStart: -1, lastTimestamp: 0, lastOffsetDelta: 0 };
  #current: StreamDigest | null = null;
  #used = 0;

  private constructor(hasher: IHasher) {
    this.#hasher = hasher;
    hasher.init();
    this.#initial = hasher.save();
  }

  static async create(): Promise<DigestFeeder> {
    return new DigestFeeder(await createHasher());
  }

  begin(target: StreamDigest): void {
    if (target === this.#current) return;
    this.#flush();
    if (this.#current) this.#current.state = this.#hasher.save();
    this.#hasher.load(target.state ?? this.#initial);
    this.#current = target;
  }

  add(records: Buffer, tailStart: number, end: number, timestamp: number): void {
    const target = this.#current!;
    target.count++;
    const length = end - tailStart;
    if (this.#used + 9 + length > SCRATCH_BYTES) this.#flush();
    this.#scratch[this.#used++] = RECORD_ITEM;
    if (target.timestamps) {
      // The same double on both sides: exact for every timestamp below 2^53 ms.
      this.#scratch.writeDoubleBE(timestamp, this.#used);
      this.#used += 8;
    }
    if (length > SCRATCH_BYTES - this.#used) {
      this.#flush();
      this.#hasher.update(records.subarray(tailStart, end));
      return;
    }
    records.copy(this.#scratch, this.#used, tailStart, end);
    this.#used += length;
  }

  /**
   * Adds the records of a batch that lie in its range and that `keep` keeps (all when null),
   * walking the batch here rather than through a callback per record: on small records the call
   * was a tenth of verify's time. The result object is reused from batch to batch.
   */
  addRecords(batch: StoredBatch, keep: RawRecordFilter | null): AddedRecords {
    const result = this.#added;
    [result.added, result.bytes, result.skipped, result.lastTailStart] = [0, 0, 0, -1];
    const records = batch.records;
    const cursor = this.#cursor;
    cursor.buffer = records;
    cursor.position = 0;
    for (let i = 0; i < batch.count; i++) {
      const end = cursor.enterRecord();
      const delta = cursor.offsetDelta;
      const tailStart = cursor.position;
      cursor.position = end;
      if (delta < batch.firstDelta || delta >= batch.endDelta) continue;
      if (keep !== null && !keep(records, tailStart)) {
        result.skipped++;
        continue;
      }
      const timestamp = batch.appendTime ?? batch.baseTimestamp + cursor.timestampDelta;
      this.add(records, tailStart, end, timestamp);
      result.added++;
      result.bytes += end - tailStart;
      [result.lastTailStart, result.lastTimestamp, result.lastOffsetDelta] = [tailStart, timestamp, delta];
    }
    this.#flush();
    return result;
  }

  /**
   * A whole batch as one item, its records as stored (compressed ones not decompressed): what a
   * copy forwards unchanged digests alike on both sides at a fraction of the cost.
   */
  addBatch(batch: StoredBatch): void {
    const target = this.#current!;
    target.count += batch.count;
    const stored = batch.view.bytes.subarray(BATCH.records);
    if (this.#used + 18 > SCRATCH_BYTES) this.#flush();
    const at = this.#used;
    this.#scratch[at] = BATCH_ITEM;
    this.#scratch[at + 1] = batch.view.attributes & ATTRIBUTE.compression;
    this.#scratch.writeDoubleBE(batch.baseTimestamp, at + 2);
    this.#scratch.writeInt32BE(batch.count, at + 10);
    this.#scratch.writeInt32BE(stored.length, at + 14);
    this.#used += 18;
    this.#flush();
    this.#hasher.update(stored);
  }

  /** Hashes what is gathered; call after each batch (the records it copied from are then free). */
  end(): void {
    this.#flush();
  }

  /** Every stream's hex digest; call once, after the last record. */
  finish(streams: StreamDigest[]): void {
    this.#flush();
    if (this.#current) this.#current.state = this.#hasher.save();
    this.#current = null;
    for (const stream of streams) {
      this.#hasher.load(stream.state ?? this.#initial);
      stream.digest = this.#hasher.digest('hex');
    }
  }

  #flush(): void {
    if (this.#used > 0) this.#hasher.update(this.#scratch.subarray(0, this.#used));
    this.#used = 0;
  }
}
