// The exit code tells a script (and a Kubernetes Job's podFailurePolicy) whether running the same
// command again may help: no exit number may be shared by a retryable and a final error code.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ERROR_CODES, type ErrorCode, KrerouteError, isRetryableExit } from '../../../src/common/errors.ts';

const codes = Object.entries(ERROR_CODES) as [ErrorCode, { exit: number; retryable: boolean }][];

test('every code exits with a retryable number iff it is retryable', () => {
  for (const [code, { exit, retryable }] of codes) {
    assert.equal(isRetryableExit(exit), retryable, `${code} (exit ${exit}, retryable ${retryable})`);
    assert.equal(new KrerouteError(code, 'x').retryable, retryable);
  }
});

test('no exit number holds both a retryable and a final code', () => {
  const kinds = new Map<number, Set<boolean>>();
  for (const [, { exit, retryable }] of codes) kinds.set(exit, (kinds.get(exit) ?? new Set()).add(retryable));
  for (const [exit, seen] of kinds) assert.equal(seen.size, 1, `exit ${exit} mixes retryable and final codes`);
});

test('final codes exit 2–9 or 70; retryable ones 10–19, or 130 for a signal', () => {
  for (const [code, { exit, retryable }] of codes) {
    if (retryable) assert.ok((exit >= 10 && exit <= 19) || exit === 130, `${code}: ${exit}`);
    else assert.ok((exit >= 2 && exit <= 9) || exit === 70, `${code}: ${exit}`);
  }
});

test('the errors the issue found mixed up: a wrong password, an unreachable broker, a truncated source, a failed copy', () => {
  const exits = (...names: ErrorCode[]) => names.map((name) => ERROR_CODES[name].exit);
  assert.deepEqual(exits('AUTH', 'NOT_AUTHORIZED', 'UNSUPPORTED', 'KAFKA_REFUSED'), [3, 3, 3, 3]);
  assert.deepEqual(exits('SOURCE_TRUNCATED', 'DESTINATION_TRUNCATED', 'SOURCE_CORRUPT', 'RESUME_CONFLICT', 'FENCED'), [7, 7, 7, 7, 7]);
  assert.deepEqual(exits('CHECKPOINT_CORRUPT', 'CHECKPOINT_MISMATCH', 'CHECKPOINT_TOPIC'), [6, 6, 6]);
  assert.deepEqual(
    exits('UNREACHABLE', 'WAIT_TIMEOUT', 'READ_STALLED', 'KAFKA', 'COPY_FAILED', 'TRANSACTION_ABORTED', 'CHECKPOINT_UNSTABLE'),
    [10, 11, 11, 12, 13, 13, 14],
  );
  assert.equal(ERROR_CODES.INTERRUPTED.exit, 130);
  assert.ok(isRetryableExit(143), 'SIGTERM');
});
