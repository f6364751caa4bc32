import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KrerouteError } from '../../../../src/common/errors.ts';
import { boundedWait, formatWait, pollUntil } from '../../../../src/kafka/net/wait-notice.ts';

const timedOut = (pattern: RegExp) => (error: unknown) => error instanceof KrerouteError && error.code === 'WAIT_TIMEOUT' && pattern.test(error.oneLine());

test('a bounded wait that does not end fails with WAIT_TIMEOUT naming what it waited for', async () => {
  const started = Date.now();
  await assert.rejects(
    boundedWait(new Promise(() => undefined), 'source x:1: reading metadata', { timeoutMs: 1_000 }),
    timedOut(/^gave up after waiting 1 s for source x:1: reading metadata — .*--wait-timeout/),
  );
  assert.ok(Date.now() - started < 2_000);
});

test('a bounded wait that ends in time gives its value or its error', async () => {
  assert.equal(await boundedWait(Promise.resolve(7), 'x', { timeoutMs: 1_000 }), 7);
  await assert.rejects(boundedWait(Promise.reject(new Error('boom')), 'x', { timeoutMs: 1_000 }), /boom/);
});

test('polling ends with the first value, or with WAIT_TIMEOUT saying what it still waited for', async () => {
  let calls = 0;
  assert.equal(
    await pollUntil(
      async () => (++calls >= 3 ? 'done' : undefined),
      () => 'x',
      { timeoutMs: 5_000, pollMs: 10 },
    ),
    'done',
  );
  assert.equal(calls, 3);
  let state = 'offset 1';
  await assert.rejects(
    pollUntil(
      async () => ((state = 'offset 2'), undefined),
      () => `t[0] held at ${state}`,
      { timeoutMs: 300, pollMs: 50 },
    ),
    timedOut(/waiting 0 s for t\[0\] held at offset 2/),
  );
});

test('waits are written in seconds and minutes', () => {
  assert.equal(formatWait(12_400), '12 s');
  assert.equal(formatWait(90_000), '1 m 30 s');
  assert.equal(formatWait(300_000), '5 m');
});
