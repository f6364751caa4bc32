import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transactionFailure } from '../../../../src/kafka/produce/transaction-errors.ts';
import { TRANSACTION_TIMEOUT_MS, inTransactionRetryDeadlineMs } from '../../../../src/kafka/produce/transaction-timing.ts';
import { retryDeadlineOf } from '../../../../src/kafka/produce/pipelined-producer.ts';
import { compareSequences, nextSequence } from '../../../../src/kafka/produce/sequence.ts';

const refused = (apiId: string): Error => Object.assign(new Error(apiId), { apiId });
const clock = (ageMs: number) => ({ ageMs: () => ageMs, timeoutMs: 60_000 });

test('PRODUCER_FENCED from the coordinator before the transaction could time out: another copier (FENCED, not retryable)', () => {
  const failure = transactionFailure(refused('PRODUCER_FENCED'), 'committing the transaction', clock(2_000));
  assert.equal(failure?.code, 'FENCED');
  assert.equal(failure?.retryable, false);
  assert.match(failure!.message, /another copier of this plan took over .* 2 s into a transaction that may last 60 s/);
});

test('PRODUCER_FENCED once the transaction ran past its timeout: the coordinator aborted it (TRANSACTION_ABORTED, retryable)', () => {
  const failure = transactionFailure(refused('PRODUCER_FENCED'), 'committing the transaction', clock(75_000));
  assert.equal(failure?.code, 'TRANSACTION_ABORTED');
  assert.equal(failure?.retryable, true);
  assert.match(failure!.message, /open 75 s, past the transaction timeout of 60 s/);
});

test('TRANSACTION_ABORTABLE is an abort whatever the age; other errors are not transaction failures', () => {
  assert.equal(transactionFailure(refused('TRANSACTION_ABORTABLE'), 'writing', clock(0))?.code, 'TRANSACTION_ABORTED');
  assert.equal(transactionFailure(refused('NOT_LEADER_OR_FOLLOWER'), 'writing', clock(0)), undefined);
});

test('in a transaction, writes are retried for less than the transaction timeout', () => {
  assert.ok(inTransactionRetryDeadlineMs(TRANSACTION_TIMEOUT_MS) < TRANSACTION_TIMEOUT_MS);
  assert.ok(retryDeadlineOf({ transactionalId: 'tx' }) < TRANSACTION_TIMEOUT_MS);
  assert.ok(retryDeadlineOf({ transactionalId: 'tx', retryDeadlineMs: 120_000 }) < TRANSACTION_TIMEOUT_MS);
  assert.equal(retryDeadlineOf({ transactionalId: null }), 120_000);
});

test('sequence numbers compare across the wrap from 2^31-1 to 0', () => {
  assert.equal(nextSequence(2147483647, 1), 0);
  assert.equal(nextSequence(2147483645, 5), 2);
  assert.equal(compareSequences(2147483647, 0), -1);
  assert.equal(compareSequences(1, 2147483646), 1);
  assert.equal(compareSequences(5, 3), 1);
  assert.equal(compareSequences(3, 3), 0);
  const sorted = [0, 2147483646, 1, 2147483647].sort(compareSequences);
  assert.deepEqual(sorted, [2147483646, 2147483647, 0, 1]);
});
