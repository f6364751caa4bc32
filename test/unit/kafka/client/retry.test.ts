import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUICK_RETRIES, withRetry } from '../../../../src/kafka/client/retry.ts';

const policy = { deadlineMs: 10_000, initialDelayMs: 200, maxDelayMs: 5_000, isRetriable: () => true };

test('a failure that clears within milliseconds is retried after 20 ms, without a notice', async () => {
  const notices: number[] = [];
  const started = Date.now();
  const result = await withRetry(
    async (attempt) => {
      if (attempt <= 3) throw new Error('quick');
      return attempt;
    },
    { ...policy, isQuick: (error) => (error as Error).message === 'quick', onRetry: (_error, _attempt, delay) => notices.push(delay) },
  );
  assert.equal(result, 4);
  assert.deepEqual(notices, []);
  const took = Date.now() - started;
  // 3 × 20 ms; backing off from 200 ms would have taken 1.4 s.
  assert.ok(took >= 50 && took < 1000, `3 quick retries took ${took} ms`);
});

test('a quick failure that goes on falls back to backing off, with notices', async () => {
  const notices: number[] = [];
  const result = await withRetry(
    async (attempt) => {
      if (attempt <= QUICK_RETRIES + 1) throw new Error('quick');
      return attempt;
    },
    { ...policy, isQuick: () => true, onRetry: (_error, _attempt, delay) => notices.push(delay) },
  );
  assert.equal(result, QUICK_RETRIES + 2);
  assert.deepEqual(notices, [200]);
});

test('other failures back off from the initial delay, doubling', async () => {
  const notices: number[] = [];
  await withRetry(
    async (attempt) => {
      if (attempt <= 2) throw new Error('slow');
    },
    { ...policy, initialDelayMs: 10, isQuick: (error) => (error as Error).message === 'quick', onRetry: (_error, _attempt, delay) => notices.push(delay) },
  );
  assert.deepEqual(notices, [10, 20]);
});
