/**
 * A broker's request to slow down (KIP-219): a response's throttle_time_ms says how long the
 * broker will hold back (mute) the connection it came on. Waiting that long here, as Kafka's
 * clients do, keeps the next request from sitting muted in the broker with its timeout running.
 * Kept per broker: its quota counts all our connections to it.
 */
export class Throttle {
  #until = 0;
  #lastNotedAt = -Infinity;
  /** Milliseconds during which this broker held us back (overlapping waits counted once). */
  heldMs = 0;

  /** Takes a response's throttle_time_ms; returns how much it added to the time held back. */
  note(throttleTimeMs: number): number {
    if (throttleTimeMs <= 0) return 0;
    const now = Date.now();
    this.#lastNotedAt = now;
    const until = now + throttleTimeMs;
    const added = Math.max(0, until - Math.max(this.#until, now));
    this.#until = Math.max(this.#until, until);
    this.heldMs += added;
    return added;
  }

  /** Whether the broker throttled us within its quota window (~11 s): then requests go one at a time. */
  get recent(): boolean {
    return Date.now() - this.#lastNotedAt < QUOTA_WINDOW_MS;
  }

  /** Resolves when the next request may go out. */
  async wait(): Promise<void> {
    for (let waitMs = this.#until - Date.now(); waitMs > 0; waitMs = this.#until - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** Kafka's default quota window: quota.window.num (11) × quota.window.size.seconds (1). */
const QUOTA_WINDOW_MS = 11_000;

/**
 * The turn of each request on one connection, in the order they were asked for: a request goes
 * out after the one before it went out and after the broker's throttle time has passed; while the
 * broker throttles, also only after the one before it was answered, so that no request waits
 * muted in the broker behind another one's throttle time (its timeout running) and no later
 * sequence overtakes an earlier one.
 */
export class RequestTurns {
  readonly #throttle: Throttle;
  #sent: Promise<void> = Promise.resolve();
  #answered: Promise<void> = Promise.resolve();

  constructor(throttle: Throttle) {
    this.#throttle = throttle;
  }

  /**
   * Resolves when the request may be sent (send it at once, before awaiting anything else), with
   * a function to call once its answer (or failure) is in.
   */
  async take(): Promise<() => void> {
    const previousSent = this.#sent;
    const previousAnswered = this.#answered;
    let sent!: () => void;
    let answered!: () => void;
    this.#sent = new Promise((resolve) => (sent = resolve));
    this.#answered = new Promise((resolve) => (answered = resolve));
    try {
      await previousSent;
      if (this.#throttle.recent) await previousAnswered;
      await this.#throttle.wait();
      // Throttled while waiting for the previous answer: that answer's wait is in #until now.
      if (this.#throttle.recent) await previousAnswered.then(() => this.#throttle.wait());
    } finally {
      sent();
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      answered();
    };
  }
}
