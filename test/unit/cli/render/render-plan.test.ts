import assert from 'node:assert/strict';
import test from 'node:test';
import { renderPlan } from '../../../../src/cli/render/render-plan.ts';
import type { Plan, PlanPartition } from '../../../../src/plan/plan.ts';

const partition = (n: number, upperBound: number): PlanPartition => ({
  partition: n,
  start: '0',
  end: String(upperBound),
  destinationPartition: n,
  upperBound,
  exact: null,
});

/** A plan made without --exact: each partition knows its offsets only; the estimate came from a sample. */
const sampled = (filter: Plan['filter'], records: number): Plan => ({
  format: 'kreroute-plan',
  version: 1,
  createdAt: '2026-11-01T00:00:00.000Z',
  source: { clusterId: 'SRC', bootstrap: 'old:9092' },
  destination: { clusterId: 'DST', bootstrap: 'new:9092' },
  range: { from: 'earliest', to: 'latest' },
  filter,
  mapping: 'same',
  topics: [
    {
      source: 'orders',
      destination: 'orders',
      sourcePartitions: 3,
      destinationPartitions: 3,
      destinationMaxMessageBytes: 1048588,
      partitions: [partition(0, 149_933), partition(1, 149_933), partition(2, 100)],
    },
  ],
  estimate: { records, exact: false, bytes: records * 100, seconds: 1 },
  checks: [],
  hash: 'abcdef0123456789',
});

test('without --exact the total bound is the sum of the partitions’ bounds, whatever a sample of the filter found', () => {
  const text = renderPlan(sampled({ kind: 'key-prefix', prefix: 'nobody:' }, 0), 'p.json').join('\n');
  assert.match(text, /≤ 149,933/);
  assert.match(text, /Total: at most 299,966 records \(upper bound\), about 0 of them matching the filter by a sample \(use --exact to count\)/);
  assert.doesNotMatch(text, /at most 0 records/);
});

test('without --exact and a filter matching a third: the bound, and the estimate beside it', () => {
  const text = renderPlan(sampled({ kind: 'key-prefix', prefix: 'acme:' }, 99_989), 'p.json').join('\n');
  assert.match(text, /Total: at most 299,966 records \(upper bound\), about 99,989 of them matching the filter by a sample/);
});

test('without --exact and without a filter: the bound alone', () => {
  const text = renderPlan(sampled(null, 299_960), 'p.json').join('\n');
  assert.match(text, /Total: at most 299,966 records \(upper bound; use --exact to count\), about /);
  assert.doesNotMatch(text, /matching/);
});
