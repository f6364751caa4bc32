import { commitWithinMs, drainWithinMs } from '../kafka/produce/transaction-timing.ts';

/** Before any rate is seen, and at least: small enough for a slow link to acknowledge well within a transaction. */
const MIN_UNACKED_BYTES = 256 * 1024;
/** The acknowledgement rate is measured over this long. */
const RATE_WINDOW_MS = 5_000;
/** A rate needs samples spanning at least this long. */
const MIN_RATE_SPAN_MS = 1_000;
const SAMPLE_EVERY_MS = 100;
/** The bound at most doubles this often (a quota lets a burst through before it throttles). */
const GROWTH_EVERY_MS = 1_000;
/** After the destination throttled us, this long at the smallest bound. */
const AFTER_THROTTLE_MS = 5_000;

/**
 * Keeps exactly-once transactions within their timeout on any link. Transactions are committed
 * every commit interval, but a commit first waits for every write of the transaction to be
 * acknowledged: sized only by the memory budget, a transaction would outlive its timeout on a
 * slow or throttled link (32 MiB at 256 KB/s take two minutes). So a transaction commits once it
 * is old (commitWithinMs), whatever it holds, and the bytes it has waiting for acknowledgement are
 * bounded by what the destination acknowledged lately (see drainWithinMs). The bound starts
 * small and at most doubles each second: a produce quota lets a burst through (what the broker
 * allows over its quota window) before it throttles. While the destination throttles, writes go
 * one at a time anyway (see RequestTurns), so the bound stays at its smallest.
 */
export class TransactionPace {
  readonly #timeoutMs: number;
  readonly #maxUnackedBytes: number;
  readonly #now: () => number;
  readonly #samples: Array<{ at: number; acknowledged: number }> = [];
  #bound = MIN_UNACKED_BYTES;
  #grownAt: number;
  #throttledMs = 0;
  #throttledAt = -Infinity;

  /** `maxUnackedBytes`: the memory budget, which bounds it anyway. */
  constructor(transactionTimeoutMs: number, maxUnackedBytes: number, now: () => number = Date.now) {
    this.#timeoutMs = transactionTimeoutMs;
    this.#maxUnackedBytes = Math.max(MIN_UNACKED_BYTES, maxUnackedBytes);
    this.#now = now;
    this.#grownAt = now();
  }

  /** Whether the open transaction, `ageMs` old, must commit now. */
  overdue(ageMs: number): boolean {
    return ageMs >= commitWithinMs(this.#timeoutMs);
  }

  /**
   * Bytes the open transaction may have waiting for acknowledgement. `acknowledgedBytes`: the
   * producer's total so far; `throttledMs`: how long the destination held it back so far.
   */
  unackedLimit(acknowledgedBytes: number, throttledMs = 0): number {
    const now = this.#now();
    const last = this.#samples[this.#samples.length - 1];
    if (!last || now - last.at >= SAMPLE_EVERY_MS) this.#samples.push({ at: now, acknowledged: acknowledgedBytes });
    while (this.#samples.length > 1 && now - this.#samples[0]!.at > RATE_WINDOW_MS) this.#samples.shift();
    if (throttledMs > this.#throttledMs) {
      this.#throttledMs = throttledMs;
      this.#throttledAt = now;
    }
    if (now - this.#throttledAt < AFTER_THROTTLE_MS) return this.#reset(now);
    const first = this.#samples[0]!;
    const span = now - first.at;
    if (span < MIN_RATE_SPAN_MS) return this.#reset(now);
    const bytesPerMs = (acknowledgedBytes - first.acknowledged) / span;
    const byRate = Math.min(this.#maxUnackedBytes, Math.max(MIN_UNACKED_BYTES, Math.round(bytesPerMs * drainWithinMs(this.#timeoutMs))));
    if (byRate <= this.#bound) {
      this.#bound = byRate;
      this.#grownAt = now;
    } else if (now - this.#grownAt >= GROWTH_EVERY_MS) {
      this.#bound = Math.min(byRate, this.#bound * 2);
      this.#grownAt = now;
    }
    return this.#bound;
  }

  #reset(now: number): number {
    this.#bound = MIN_UNACKED_BYTES;
    this.#grownAt = now;
    return this.#bound;
  }
}
