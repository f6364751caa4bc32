import { KrerouteError } from '../../common/errors.ts';
import { protocolErrorIds } from '../client/errors.ts';
import type { TransactionClock } from './transaction-timing.ts';

/** Our producer epoch is no longer the transactional id's current one. */
const EPOCH_BUMPED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']);

/**
 * A failure of a transactional write or of the coordinator, told apart as Kafka allows: the
 * coordinator bumps the epoch both when it aborts a transaction that ran past its timeout and
 * when another producer of the same transactional id starts, and answers PRODUCER_FENCED (or
 * INVALID_PRODUCER_EPOCH) in both cases. Only the transaction's age tells them apart: an epoch
 * bumped before the timeout was bumped by another copier. TRANSACTION_ABORTABLE (KIP-890) is an
 * abort of the transaction alone. Returns undefined for other failures.
 */
export function transactionFailure(error: unknown, what: string, clock: TransactionClock | undefined): KrerouteError | undefined {
  const ids = protocolErrorIds(error);
  const rerun = 'run the same command again: it resumes from the last committed transaction and writes nothing twice';
  if (ids.includes('TRANSACTION_ABORTABLE')) {
    return new KrerouteError('TRANSACTION_ABORTED', `the destination aborted the open transaction while ${what} (TRANSACTION_ABORTABLE)`, {
      hint: rerun,
      cause: error,
    });
  }
  if (!ids.some((id) => EPOCH_BUMPED.has(id))) return undefined;
  const ageMs = clock?.ageMs();
  if (clock && ageMs !== undefined && ageMs >= clock.timeoutMs) {
    return new KrerouteError(
      'TRANSACTION_ABORTED',
      `the destination aborted the open transaction while ${what}: it had been open ${Math.round(ageMs / 1000)} s, past the transaction timeout of ${Math.round(clock.timeoutMs / 1000)} s (${ids.join(', ')})`,
      { hint: `${rerun}; if the destination keeps stalling this long, check its brokers`, cause: error },
    );
  }
  const when = clock && ageMs !== undefined ? ` ${Math.round(ageMs / 1000)} s into a transaction that may last ${Math.round(clock.timeoutMs / 1000)} s` : '';
  return new KrerouteError('FENCED', `another copier of this plan took over (our producer epoch was bumped${when}) while ${what} (${ids.join(', ')})`, {
    hint: 'only one copier may run a plan at a time; stop the other one, then run the same command again',
    cause: error,
  });
}
