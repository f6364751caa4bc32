import { setTimeout as sleep } from 'node:timers/promises';

/** Holds a caller back so that at most `perSecond` units pass per second on average. */
export class RateLimiter {
  readonly #perSecond: number;
  #nextFree = 0;

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
  }

  /** Records per step, so that a throttled copy moves (and checkpoints) about five times a second. */
  get sliceSize(): number {
    return Math.max(1, Math.floor(this.#perSecond / 5));
  }

  /** How long a take() now would wait. */
  waitMs(): number {
    return Math.max(0, this.#nextFree - performance.now());
  }

  async take(units: number, signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    const start = Math.max(now, this.#nextFree);
    this.#nextFree = start + (units / this.#perSecond) * 1000;
    const wait = start - now;
    if (wait > 1) await sleep(wait, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
}
