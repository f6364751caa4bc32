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
 */
export class BufferPool {
  readonly #free = new Map<number, Buffer[]>();
  /** Buffers handed out and not yet released, to the memory they were cut from. */
  readonly #leased = new WeakMap<Buffer, Buffer>();
  readonly #maxOwnedBytes: number;
  readonly #poison = process.env['KREROUTE_TEST_POISON_RELEASED_BUFFERS'] === '1';
  /** Bytes of the buffers handed out and of those kept for reuse. */
  #ownedBytes = 0;

  /**
   * `maxOwnedBytes`: a released buffer is kept for reuse only while all the pool's buffers, in use
   * and kept, stay within this; buffers in use are never limited (the memory budget does that).
   */
  constructor(maxOwnedBytes: number) {
    this.#maxOwnedBytes = maxOwnedBytes;
  }

  take(size: number): Buffer {
    if (size < POOLED_MIN_BYTES) return Buffer.allocUnsafe(size);
    const length = sizeClass(size);
    let slab = this.#free.get(length)?.pop();
    if (!slab) {
      slab = Buffer.allocUnsafeSlow(length);
      this.#ownedBytes += length;
    }
    const buffer = slab.subarray(0, size);
    this.#leased.set(buffer, slab);
    return buffer;
  }

  /** A buffer `take` gave out (the same object, not a view of it); anything else, or a second release, is ignored. */
  release(buffer: Buffer): void {
    const slab = this.#leased.get(buffer);
    if (!slab) return;
    this.#leased.delete(buffer);
    if (this.#poison) slab.fill(0xa5);
    if (this.#ownedBytes > this.#maxOwnedBytes) {
      this.#ownedBytes -= slab.length;
      return;
    }
    const free = this.#free.get(slab.length);
    if (free) free.push(slab);
    else this.#free.set(slab.length, [slab]);
  }

  lease(size: number): LeasedBuffer {
    const buffer = this.take(size);
    return { buffer, release: () => this.release(buffer) };
  }
}
