import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMemoryOptions } from '../../../bench/memory/options.ts';

test('bench:memory loads with ProducerPerformance and traces nothing unless asked', () => {
  const options = parseMemoryOptions([]);
  assert.ok(options !== 'help');
  assert.equal(options.loader, 'producer-perf');
  assert.equal(options.trace, false);
  assert.deepEqual(options.records, [5_000_000, 100_000_000]);
  const asked = parseMemoryOptions(['--loader', 'records', '--trace', '--records', '1000,2000']);
  assert.ok(asked !== 'help');
  assert.equal(asked.loader, 'records');
  assert.equal(asked.trace, true);
});

test('bench:memory refuses a loader it does not know', () => {
  assert.throws(() => parseMemoryOptions(['--loader', 'kcat']), /--loader: "kcat" is not producer-perf or records/);
});
