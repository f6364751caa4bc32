import { WAIT_NOTICE_MS, formatWait } from '../net/wait-notice.ts';

/** Answers of a transaction coordinator that is not there (yet): not created, not elected, or loading its log. */
export const COORDINATOR_NOT_THERE: ReadonlySet<string> = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);

/**
 * Tells the user, as a wait and not as failures, that the transaction coordinator is not there yet.
 * On a fresh cluster the first FindCoordinator creates __transaction_state, and until it is loaded
 * the coordinator answers COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS
 * for seconds: normal start-up. One line when the wait begins, then one every WAIT_NOTICE_MS while
 * answers keep saying so, like every other wait.
 */
export class CoordinatorWait {
  readonly #clusterLabel: string;
  readonly #notice: (message: string) => void;
  readonly #now: () => number;
  #startedAt: number | undefined;
  #toldAt: number | undefined;

  constructor(clusterLabel: string, notice: (message: string) => void, now: () => number = Date.now) {
    this.#clusterLabel = clusterLabel;
    this.#notice = notice;
    this.#now = now;
  }

  /** Whether these Kafka error ids say only that the coordinator is not there yet. */
  static isNotThere(ids: readonly string[]): boolean {
    return ids.length > 0 && ids.every((id) => COORDINATOR_NOT_THERE.has(id));
  }

  /** The coordinator answered that it is not there (`ids`): told now unless told less than WAIT_NOTICE_MS ago. */
  answered(ids: readonly string[]): void {
    const now = this.#now();
    this.#startedAt ??= now;
    if (this.#toldAt !== undefined && now - this.#toldAt < WAIT_NOTICE_MS) return;
    this.#toldAt = now;
    this.#notice(
      `waiting for the transaction coordinator of ${this.#clusterLabel} (a fresh cluster creates it on first use): ${[...new Set(ids)].join(', ')} (${formatWait(now - this.#startedAt)})`,
    );
  }
}
