import { freeNow } from '../wire/free-buffer.ts';

/** A response's bytes and the way to hand them back once nothing refers to them any more. */
export interface LeasedBuffer {
  buffer: Buffer;
  /** Idempotent. Only the one who knows that no view of `buffer` is still in use may call it. */
  release: () => void;
}

/** Smaller buffers are left to the allocator. */
const POOLED_MIN_BYTES = 64 * 1024;

/** Sizes are pooled in classes a quarter of a power of two apart: at most a quarter is wasted. */
function sizeClass(size: number): number {
  const step = Math.max(POOLED_MIN_BYTES, 2 ** Math.floor(Math.log2(size)) / 4);
  return Math.ceil(size / step) * step;
}

/**
 * Reused buffers for the copy's large, short-lived data: fetch responses, and batches rebuilt from
 * them (filtered or joined). Every large Buffer is external memory to V8, and allocating one per
 * response or batch made V8 run a full garbage collection every few tens of MB: profiling showed
 * that GC (and the page faults of ever new memory) as the largest CPU cost left in a copy.
 *
 * A buffer comes back only through `release`, which the copy engine calls once every batch that
 * is, or is a view of, that buffer has been acknowledged; a buffer never released is simply
 * garbage-collected. With KREROUTE_TEST_POISON_RELEASED_BUFFERS=1 (the test suites set it)
 * released buffers are overwritten, so a view used after its release corrupts a batch, the
 * destination refuses its CRC, and the test fails.
 *
 * What the pool owns stays flat however long the job: a request takes the smallest kept buffer
 * that fits (at most twice its size class), whatever class it was made for, so a steady copy stops
 * allocating; and a buffer the pool does not keep is freed at once (its memory detached, see
 * `#free`) instead of waiting as garbage for V8's next full collection, which on a small heap
 * comes seldom while tens of MB of such buffers pile up.
 */
export class BufferPool {
  /** Kept buffers, shortest first. */
  readonly #free: Buffer[] = [];
  /** Buffers handed out and not yet released, to the memory they were cut from. */
  readonly #leased = new WeakMap<Buffer, Buffer>();
  readonly #maxOwnedBytes: number;
  readonly #poison = process.env['KREROUTE_TEST_POISON_RELEASED_BUFFERS'] === '1';
  /** Bytes of the buffers handed out and of those kept for reuse. */
  #ownedBytes = 0;
  /** Bytes of the pooled buffers handed out and not yet released. */
  #leasedBytes = 0;
  /** Cleared: nothing is kept any more, every buffer released is freed at once. */
  #cleared = false;

  /**
   * `maxOwnedBytes`: buffers are kept for reuse only while all the pool's buffers, in use and
   * kept, stay within this; buffers in use are never limited (the memory budget does that).
   */
  constructor(maxOwnedBytes: number) {
    this.#maxOwnedBytes = maxOwnedBytes;
  }

  /** Bytes of the buffers in use and kept: what the pool holds of the process's memory. */
  get ownedBytes(): number {
    return this.#ownedBytes;
  }

  /** Bytes of the buffers in use (handed out, not yet released), as allocated. */
  get leasedBytes(): number {
    return this.#leasedBytes;
  }

  take(size: number): Buffer {
    if (size < POOLED_MIN_BYTES) return Buffer.allocUnsafe(size);
    const length = sizeClass(size);
    let slab = this.#takeFitting(size, 2 * length);
    if (!slab) {
      // Kept buffers too small (or far too large) for this one make room for it, largest first.
      while (this.#free.length > 0 && this.#ownedBytes + length > this.#maxOwnedBytes) this.#drop(this.#free.pop()!);
      slab = Buffer.allocUnsafeSlow(length);
      this.#ownedBytes += length;
    }
    const buffer = slab.subarray(0, size);
    this.#leased.set(buffer, slab);
    this.#leasedBytes += slab.length;
    return buffer;
  }

  /** A buffer `take` gave out (the same object, not a view of it); anything else, or a second release, is ignored. */
  release(buffer: Buffer): void {
    const slab = this.#leased.get(buffer);
    if (!slab) return;
    this.#leased.delete(buffer);
    this.#leasedBytes -= slab.length;
    if (this.#poison) slab.fill(0xa5);
    if (this.#cleared || this.#ownedBytes > this.#maxOwnedBytes) {
      this.#drop(slab);
      return;
    }
    this.#free.splice(this.#insertionPoint(slab.length), 0, slab);
  }

  /**
   * For an owner that is done: frees the kept buffers now, and each buffer still in use as soon as
   * it is released. Whatever still refers to the pool (a closed connection, a closer the cluster
   * keeps until it is closed) then holds no memory of it.
   */
  clear(): void {
    this.#cleared = true;
    for (const slab of this.#free.splice(0)) this.#drop(slab);
  }

  lease(size: number): LeasedBuffer {
    const buffer = this.take(size);
    return { buffer, release: () => this.release(buffer) };
  }

  /** The shortest kept buffer of at least `size` bytes and at most `longest`, taken out of the kept ones. */
  #takeFitting(size: number, longest: number): Buffer | undefined {
    const at = this.#insertionPoint(size);
    const slab = this.#free[at];
    if (slab === undefined || slab.length > longest) return undefined;
    this.#free.splice(at, 1);
    return slab;
  }

  /** Where a buffer of `length` bytes goes among the kept ones (the first not shorter). */
  #insertionPoint(length: number): number {
    let low = 0;
    let high = this.#free.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#free[middle]!.length < length) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * Frees a buffer the pool gives up now: transferring its memory away detaches it, so V8 hands
   * the memory back at once rather than at a garbage collection. Nothing may use it any more (see
   * release); a view that did would now fail loudly (out of bounds) instead of reading stale bytes.
   */
  #drop(slab: Buffer): void {
    this.#ownedBytes -= slab.length;
    freeNow(slab);
  }
}
