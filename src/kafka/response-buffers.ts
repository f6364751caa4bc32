/** A response's bytes and the way to hand them back once nothing refers to them any more. */
export interface LeasedBuffer {
  buffer: Buffer;
  /** Idempotent. Only the one who knows that no view of `buffer` is still in use may call it. */
  release: () => void;
}

/** Responses smaller than this are left to the allocator. */
const POOLED_MIN_BYTES = 256 * 1024;
const SIZE_STEP = 1024 * 1024;

/**
 * Reused buffers for large responses (fetched record batches). Every large Buffer is external
 * memory to V8, and allocating them one per fetch response made V8 run a full garbage collection
 * every few tens of MB: profiling showed that GC as the largest CPU cost left in a passthrough
 * copy. A buffer comes back only through its lease's release, which the copy engine calls once
 * every batch forwarded from that response has been acknowledged; a buffer never released is
 * simply garbage-collected. With KREROUTE_TEST_POISON_RELEASED_BUFFERS=1 (the test suites set it)
 * released buffers are overwritten, so a view used after its release corrupts a batch, the
 * destination refuses its CRC, and the test fails.
 */
export class ResponseBuffers {
  readonly #free: Buffer[] = [];
  readonly #maxFreeBytes: number;
  readonly #poison = process.env['KREROUTE_TEST_POISON_RELEASED_BUFFERS'] === '1';
  #freeBytes = 0;

  constructor(maxFreeBytes: number) {
    this.#maxFreeBytes = maxFreeBytes;
  }

  take(size: number): LeasedBuffer {
    if (size < POOLED_MIN_BYTES) return { buffer: Buffer.allocUnsafe(size), release: () => undefined };
    let slab: Buffer | undefined;
    const index = this.#free.findIndex((free) => free.length >= size);
    if (index >= 0) {
      slab = this.#free.splice(index, 1)[0]!;
      this.#freeBytes -= slab.length;
    } else {
      slab = Buffer.allocUnsafeSlow(Math.ceil(size / SIZE_STEP) * SIZE_STEP);
    }
    let released = false;
    return {
      buffer: slab.subarray(0, size),
      release: () => {
        if (released) return;
        released = true;
        this.#giveBack(slab);
      },
    };
  }

  #giveBack(slab: Buffer): void {
    if (this.#poison) slab.fill(0xa5);
    if (this.#freeBytes + slab.length > this.#maxFreeBytes) return;
    this.#free.push(slab);
    this.#freeBytes += slab.length;
  }
}
