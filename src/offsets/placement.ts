/**
 * Where a group continues on one destination partition, fed the plan's copied records there in
 * destination order, each marked consumed or not by the group's committed offset on the source.
 * The group resumes at the first record it has not consumed (nothing skipped); consumed records
 * after it are seen twice (only where key-hash mixes source partitions). All consumed: after the
 * last copied record; none copied: the start of the copy's window.
 */
export class Placement {
  copied = 0;
  consumed = 0;
  replayed = 0;
  #firstUnconsumed: bigint | null = null;
  #last: bigint | null = null;
  readonly #start: bigint;

  constructor(start: bigint) {
    this.#start = start;
  }

  add(offset: bigint, consumed: boolean): void {
    this.copied++;
    this.#last = offset;
    if (!consumed) {
      this.#firstUnconsumed ??= offset;
      return;
    }
    this.consumed++;
    if (this.#firstUnconsumed !== null) this.replayed++;
  }

  get translated(): bigint {
    return this.#firstUnconsumed ?? (this.#last !== null ? this.#last + 1n : this.#start);
  }
}
