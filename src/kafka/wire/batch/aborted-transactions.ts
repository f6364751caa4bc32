import type { AbortedTransaction } from './batch-records.ts';

/**
 * Which transactional batches of one fetch response are aborted, decided as Kafka's consumer does
 * under read_committed: a producer's batches are dropped from the first offset of an aborted
 * transaction the broker listed until that producer's abort marker.
 */
export class AbortedTransactions {
  readonly #pending: AbortedTransaction[];
  readonly #open = new Set<bigint>();

  constructor(aborted: AbortedTransaction[] | null) {
    this.#pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /** Call for every batch in log order, before asking about it. */
  reach(lastOffset: bigint): void {
    while (this.#pending.length > 0 && this.#pending[0]!.firstOffset <= lastOffset) this.#open.add(this.#pending.shift()!.producerId);
  }

  isAborted(producerId: bigint): boolean {
    return this.#open.has(producerId);
  }

  /** An abort marker of this producer was passed: its later batches are not aborted. */
  close(producerId: bigint): void {
    this.#open.delete(producerId);
  }

  get anyOpen(): boolean {
    return this.#open.size > 0;
  }
}
