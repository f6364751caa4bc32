import assert from 'node:assert/strict';
import test from 'node:test';
import type { CheckpointView } from '../../../src/checkpoint/copy-checkpoint.ts';
import { KrerouteError } from '../../../src/common/errors.ts';
import { refuseUnmatchedFilter } from '../../../src/copy/unmatched-filter-check.ts';
import type { Plan } from '../../../src/plan/plan.ts';

const plan = (overrides: Partial<Plan> = {}): Plan =>
  ({
    filter: { kind: 'header', name: 'tenant', value: 'nobody' },
    topics: [{ source: 'orders', partitions: [{ partition: 0 }, { partition: 1 }] }],
    ...overrides,
  }) as Plan;

const checkpoint = (copied: number, done = true): CheckpointView =>
  ({
    sources: {
      'orders/0': { next: '10', copied, skipped: 10, done, alreadyWritten: [] },
      'orders/1': { next: '5', copied: 0, skipped: 5, done: true, alreadyWritten: [] },
    },
  }) as unknown as CheckpointView;

test('a filtered copy that read every range and copied nothing is EMPTY_RANGE', () => {
  assert.throws(
    () => refuseUnmatchedFilter(plan(), checkpoint(0)),
    (error: unknown) =>
      error instanceof KrerouteError &&
      error.code === 'EMPTY_RANGE' &&
      error.oneLine() ===
        "--header tenant=nobody matches no record in the planned range of orders[0..1] (15 records read): nothing was copied — check the header's name and the tenant's value",
  );
});

test('no refusal while a range is unfinished, when a record was copied, without a filter, or for one shard', () => {
  refuseUnmatchedFilter(plan(), checkpoint(0, false));
  refuseUnmatchedFilter(plan(), checkpoint(1));
  refuseUnmatchedFilter(plan({ filter: null }), checkpoint(0));
  refuseUnmatchedFilter(plan({ shard: { index: 0, count: 2, of: 'abc', purpose: 'copy' } }), checkpoint(0));
});
