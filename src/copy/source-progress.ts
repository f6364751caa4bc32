interface Step {
  next: bigint;
  outstanding: number;
  records: number;
  bytes: number;
  failed: boolean;
}

/**
 * Moves one source partition's committed position forward strictly in order: a step (a fetched
 * stretch) counts as done only when every batch written for it, and for every step before it, is
 * acknowledged. What it reports is what the checkpoint may claim.
 */
export class SourceProgress {
  readonly #steps: Step[] = [];
  readonly #onAdvance: (next: bigint, records: number, bytes: number) => void;

  constructor(onAdvance: (next: bigint, records: number, bytes: number) => void) {
    this.#onAdvance = onAdvance;
  }

  get pending(): number {
    return this.#steps.length;
  }

  /** Registers a step whose writes are `acks`; resolves nothing itself, only records completion. */
  add(next: bigint, acks: Promise<unknown>[], records: number, bytes: number): void {
    const step: Step = { next, outstanding: acks.length, records, bytes, failed: false };
    this.#steps.push(step);
    if (acks.length === 0) this.#drain();
    for (const ack of acks) {
      ack.then(
        () => {
          step.outstanding--;
          this.#drain();
        },
        () => {
          step.failed = true;
        },
      );
    }
  }

  #drain(): void {
    while (this.#steps.length > 0 && this.#steps[0]!.outstanding === 0 && !this.#steps[0]!.failed) {
      const step = this.#steps.shift()!;
      this.#onAdvance(step.next, step.records, step.bytes);
    }
  }
}
