/** How long the destination's coordinator lets an exactly-once copy's transaction stay open. */
export const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * How long a write inside a transaction is retried. Past the transaction timeout the coordinator
 * aborts the transaction, and a write retried that long would only land in (or be refused by) an
 * aborted one; the margin leaves room for the last attempt's round trip and the commit.
 */
export function inTransactionRetryDeadlineMs(transactionTimeoutMs: number): number {
  return transactionTimeoutMs - Math.min(15_000, Math.floor(transactionTimeoutMs / 4));
}

/** How old the open transaction is, and how long it may be. */
export interface TransactionClock {
  ageMs: () => number;
  timeoutMs: number;
}
