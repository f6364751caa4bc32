/**
 * A broker's request to slow down (KIP-219): a response's throttle_time_ms says how long the
 * broker will hold back our next request on that connection. Waiting that long here, as Kafka's
 * clients do, keeps the next request from sitting muted in the broker and timing out.
 */
export class Throttle {
  #until = 0;

  /** Takes a response's throttle_time_ms. */
  note(throttleTimeMs: number): void {
    if (throttleTimeMs > 0) this.#until = Math.max(this.#until, Date.now() + throttleTimeMs);
  }

  /** Resolves when the next request may go out. */
  async wait(): Promise<void> {
    const waitMs = this.#until - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
