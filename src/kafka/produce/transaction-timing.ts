/** How long kreroute asks the destination's coordinator to let a transaction stay open (Kafka's producer default). */
export const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * The transaction timeout to ask for: `wantedMs` (60 s unless a shorter one is wanted), never more
 * than the broker's transaction.max.timeout.ms (InitProducerId would be refused), when known.
 */
export function chooseTransactionTimeoutMs(brokerMaxMs: number | null, wantedMs = TRANSACTION_TIMEOUT_MS): number {
  return brokerMaxMs !== null && brokerMaxMs > 0 ? Math.min(wantedMs, brokerMaxMs) : wantedMs;
}

/**
 * An open transaction commits once it is this old, whatever it holds: a third of its timeout
 * leaves the rest for its last writes to be acknowledged (see drainWithinMs) and the commit.
 */
export function commitWithinMs(transactionTimeoutMs: number): number {
  return Math.floor(transactionTimeoutMs / 3);
}

/** What a transaction has waiting for acknowledgement should be acknowledged within this long, at the rate seen. */
export function drainWithinMs(transactionTimeoutMs: number): number {
  return Math.floor(transactionTimeoutMs / 6);
}

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
