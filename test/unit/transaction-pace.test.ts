import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TransactionPace } from '../../src/copy/transaction-pace.ts';
import { TRANSACTION_TIMEOUT_MS, chooseTransactionTimeoutMs, commitWithinMs } from '../../src/kafka/transaction-timing.ts';

const MiB = 1024 * 1024;

/** A clock the test moves. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let at = start;
  return { now: () => at, advance: (ms) => (at += ms) };
}

test('a transaction commits on time, whatever it holds: once open a third of its timeout', () => {
  assert.equal(commitWithinMs(60_000), 20_000);
  const pace = new TransactionPace(60_000, 32 * MiB);
  assert.equal(pace.overdue(19_999), false);
  assert.equal(pace.overdue(20_000), true);
  // Also with a timeout the broker made shorter.
  assert.equal(new TransactionPace(9_000, 32 * MiB).overdue(3_000), true);
  assert.equal(new TransactionPace(9_000, 32 * MiB).overdue(2_999), false);
});

test('bytes waiting for acknowledgement in a transaction: what the destination acknowledges in a sixth of the timeout at the rate seen', () => {
  const time = clock();
  const pace = new TransactionPace(60_000, 32 * MiB, time.now);
  // Nothing measured yet: a small start, so a slow link cannot hold a first transaction open too long.
  assert.equal(pace.unackedLimit(0), 256 * 1024);
  // 256 KB/s (a produce quota) for 4 s: 10 s worth is ~2.5 MB.
  let acked = 0;
  for (let i = 0; i < 8; i++) {
    time.advance(500);
    acked += 128 * 1024;
    pace.unackedLimit(acked);
  }
  const limit = pace.unackedLimit(acked);
  assert.ok(Math.abs(limit - 2.5 * MiB) < 0.1 * MiB, `limit ${limit}`);
  // A fast link: capped by the memory budget.
  for (let i = 0; i < 10; i++) {
    time.advance(500);
    acked += 100 * MiB;
    pace.unackedLimit(acked);
  }
  assert.equal(pace.unackedLimit(acked), 32 * MiB);
  // Stalled for longer than the rate's window: back to the small start, never below it.
  time.advance(20_000);
  assert.equal(pace.unackedLimit(acked), 256 * 1024);
});

test('the transaction timeout asked for: 60 s, never more than the broker allows (transaction.max.timeout.ms)', () => {
  assert.equal(TRANSACTION_TIMEOUT_MS, 60_000);
  assert.equal(chooseTransactionTimeoutMs(900_000), 60_000);
  assert.equal(chooseTransactionTimeoutMs(20_000), 20_000);
  assert.equal(chooseTransactionTimeoutMs(null), 60_000);
  // A shorter wish (a library option) is kept when the broker allows it.
  assert.equal(chooseTransactionTimeoutMs(900_000, 15_000), 15_000);
  assert.equal(chooseTransactionTimeoutMs(10_000, 15_000), 10_000);
});
