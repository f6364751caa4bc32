import { KrerouteError } from '../common/errors.ts';
import { appendFileSync, rmSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyHash } from './keyed-key-hash.ts';

/**
 * One entry, six uint32 words: destination partition, source partition (DESTINATION_SIDE for a
 * destination record), key hash (low, high), record digest (its first 64 bits, two words).
 */
export const ENTRY_WORDS = 6;
const ENTRY_BYTES = ENTRY_WORDS * 4;
export const DESTINATION_SIDE = -1;

/** Distinct keys a bucket is sized for: its comparison then holds about 12 MB (see KeyGroups). */
const KEYS_PER_BUCKET = 1 << 17;
/**
 * Write buffers of all buckets together, each within the bounds below. The lower bound is small
 * so that the total stays put as buckets grow with the records (1,526 buckets for a duplicate
 * search over 100M records): with 1,024 entries at least, the buffers took 37 MB there and grew
 * on with every record more.
 */
const WRITE_BUFFERS_BYTES = 16 * 1024 * 1024;
const MIN_BUFFER_ENTRIES = 128;
const MAX_BUFFER_ENTRIES = 43_690; // ~1 MB
const READ_ENTRIES = 43_690;

/**
 * Where key-hash verify puts each record's trace (which key, which side, which digest) so that
 * memory stays flat however many keys there are: entries go to one of `buckets` files chosen by
 * key hash, appended in the order they come, so each side's records of a key stay in their read
 * order. A bucket is then compared on its own (see KeyGroups). The files live in a fresh folder
 * under the OS temp dir (TMPDIR), 24 bytes per record of either side, removed by remove() — or,
 * should the process exit first, on exit.
 */
export class KeyedSpill {
  readonly buckets: number;
  readonly #dir: string;
  readonly #buffers: Uint32Array[];
  readonly #used: number[];
  readonly #removeOnExit: () => void;

  private constructor(dir: string, buckets: number) {
    this.#dir = dir;
    this.buckets = buckets;
    const entries = Math.min(MAX_BUFFER_ENTRIES, Math.max(MIN_BUFFER_ENTRIES, Math.floor(WRITE_BUFFERS_BYTES / ENTRY_BYTES / buckets)));
    this.#buffers = Array.from({ length: buckets }, () => new Uint32Array(entries * ENTRY_WORDS));
    this.#used = new Array<number>(buckets).fill(0);
    this.#removeOnExit = () => rmSync(dir, { recursive: true, force: true });
    process.on('exit', this.#removeOnExit);
  }

  /** A spill whose buckets fit their budget for up to `keys` distinct keys (more only make buckets larger). */
  static async create(keys: number, buckets = Math.max(1, Math.ceil(keys / KEYS_PER_BUCKET))): Promise<KeyedSpill> {
    return new KeyedSpill(await mkdtemp(join(tmpdir(), 'kreroute-verify-')), buckets);
  }

  /** Bytes of the write buffers, all buckets together. */
  get bufferBytes(): number {
    return this.#buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  }

  /** `digest`: the record's digest, of which the first 64 bits are kept. */
  add(partition: number, sourcePartition: number, key: KeyHash, digest: Uint8Array): void {
    this.addWords(
      partition,
      sourcePartition,
      key.lo,
      key.hi,
      digest[0]! | (digest[1]! << 8) | (digest[2]! << 16) | (digest[3]! << 24),
      digest[4]! | (digest[5]! << 8) | (digest[6]! << 16) | (digest[7]! << 24),
    );
  }

  /** An entry as its six words, to the bucket its fourth word chooses (the same layout serves the duplicate check). */
  addWords(partition: number, side: number, lo: number, hi: number, fifth: number, sixth: number): void {
    const bucket = (hi >>> 0) % this.buckets;
    const buffer = this.#buffers[bucket]!;
    let at = this.#used[bucket]!;
    buffer[at] = partition;
    buffer[at + 1] = side;
    buffer[at + 2] = lo;
    buffer[at + 3] = hi;
    buffer[at + 4] = fifth;
    buffer[at + 5] = sixth;
    at += ENTRY_WORDS;
    this.#used[bucket] = at;
    if (at === buffer.length) this.#flush(bucket);
  }

  /** Writes out what the buffers hold: call once both sides are read, before forEachChunk. */
  finish(): void {
    for (let bucket = 0; bucket < this.buckets; bucket++) this.#flush(bucket);
  }

  /** Visits a bucket's entries in the order they were added, a chunk of whole entries at a time. */
  async forEachChunk(bucket: number, visit: (entries: Uint32Array, count: number) => void): Promise<void> {
    const handle = await open(this.#path(bucket), 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null; // no entry came to this bucket
      throw error;
    });
    if (handle === null) return;
    try {
      const words = new Uint32Array(READ_ENTRIES * ENTRY_WORDS);
      const bytes = Buffer.from(words.buffer);
      let held = 0;
      for (;;) {
        const { bytesRead } = await handle.read(bytes, held, bytes.length - held, null);
        if (bytesRead === 0) break;
        held += bytesRead;
        const whole = Math.floor(held / ENTRY_BYTES);
        visit(words, whole);
        held -= whole * ENTRY_BYTES;
        bytes.copyWithin(0, whole * ENTRY_BYTES, whole * ENTRY_BYTES + held);
      }
    } finally {
      await handle.close();
    }
  }

  async remove(): Promise<void> {
    process.off('exit', this.#removeOnExit);
    await rm(this.#dir, { recursive: true, force: true });
  }

  #path(bucket: number): string {
    return join(this.#dir, `bucket-${bucket}`);
  }

  #flush(bucket: number): void {
    const used = this.#used[bucket]!;
    if (used === 0) return;
    try {
      appendFileSync(this.#path(bucket), new Uint8Array(this.#buffers[bucket]!.buffer, 0, used * 4));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOSPC' && code !== 'EDQUOT') throw error;
      throw new KrerouteError('CONFIG', `verify ran out of disk space in ${this.#dir} for its key-hash comparison (about 48 bytes per record of both sides)`, {
        hint: 'set TMPDIR to a folder with more free space and verify again; nothing was changed',
      });
    }
    this.#used[bucket] = 0;
  }
}
