import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TransactionPace } from '../../../src/copy/transaction-pace.ts';
import { TRANSACTION_TIMEOUT_MS, chooseTransactionTimeoutMs, commitWithinMs } from '../../../src/kafka/produce/transaction-timing.ts';

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
  // A slow link, 256 KB/s, for 6 s: 10 s worth is 2.5 MiB (reached by doubling once a second).
  let acked = 0;
  const step = (ms: number, bytes: number, throttledMs = 0): number => {
    time.advance(ms);
    acked += bytes;
    return pace.unackedLimit(acked, throttledMs);
  };
  for (let i = 0; i < 12; i++) step(500, 128 * 1024);
  const limit = pace.unackedLimit(acked);
  assert.ok(Math.abs(limit - 2.5 * MiB) < 0.1 * MiB, `limit ${limit}`);
  // A fast link: the bound at most doubles each second, up to the memory budget.
  const grown: number[] = [];
  for (let i = 0; i < 16; i++) grown.push(step(500, 100 * MiB));
  assert.ok(
    grown.every((g, i) => i < 2 || g <= 2 * grown[i - 2]!),
    `doubles at most each second: ${grown.map((g) => (g / MiB).toFixed(1)).join(' ')}`,
  );
  assert.equal(pace.unackedLimit(acked), 32 * MiB);
  // Stalled for longer than the rate's window: back to the small start.
  time.advance(20_000);
  assert.equal(pace.unackedLimit(acked), 256 * 1024);
});

test('a quota lets a burst through, then throttles: once throttled, the bound drops to its smallest and stays there while throttling goes on', () => {
  const time = clock();
  const pace = new TransactionPace(60_000, 32 * MiB, time.now);
  let acked = 0;
  let throttledMs = 0;
  const step = (ms: number, bytes: number, throttled: number): number => {
    time.advance(ms);
    acked += bytes;
    throttledMs += throttled;
    return pace.unackedLimit(acked, throttledMs);
  };
  // The burst: 2.5 MB/s for 3 s, and the bound grows no faster than doubling each second.
  const burst = Array.from({ length: 6 }, () => step(500, 1.25 * MiB, 0));
  assert.ok(Math.max(...burst) <= 2 * MiB, `at most 2 MiB after 3 s of burst: ${burst.map((b) => (b / MiB).toFixed(2)).join(' ')}`);
  // Throttled: 256 KiB at a time.
  for (let i = 0; i < 20; i++) assert.equal(step(500, 128 * 1024, 400), 256 * 1024);
  // No throttling for 5 s: it grows again.
  for (let i = 0; i < 12; i++) step(500, 5 * MiB, 0);
  assert.ok(pace.unackedLimit(acked, throttledMs) > 256 * 1024);
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
