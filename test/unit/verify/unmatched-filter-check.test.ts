import assert from 'node:assert/strict';
import test from 'node:test';
import { KrerouteError } from '../../../src/common/errors.ts';
import type { Plan } from '../../../src/plan/plan.ts';
import type { PartitionVerdict, VerifyReport } from '../../../src/verify/report.ts';
import { refuseUnmatchedFilter } from '../../../src/verify/unmatched-filter-check.ts';

const plan = (overrides: Partial<Plan> = {}): Plan =>
  ({ filter: { kind: 'key-prefix', prefix: 'nobody:' }, topics: [{ source: 'orders', partitions: [{ partition: 0 }] }], ...overrides }) as Plan;

const report = (sourceCount: number, passed = true): Omit<VerifyReport, 'planHash'> => ({
  passed,
  verifiedAt: '2026-11-01T00:00:00.000Z',
  partitions: [{ sourceCount, destinationCount: sourceCount, passed } as PartitionVerdict],
  otherRecords: [{ topic: 'orders', partition: 0, count: 1200 }],
  timestampsNotCompared: [],
});

test('a filtered plan whose source ranges hold no matching record: EMPTY_RANGE, not a verification that passed', () => {
  assert.throws(
    () => refuseUnmatchedFilter(plan(), report(0)),
    (error: unknown) =>
      error instanceof KrerouteError &&
      error.code === 'EMPTY_RANGE' &&
      /^--key-prefix nobody: matches no record in the planned range of orders\[0\] \(1,200 records read\)/.test(error.message),
  );
});

test('no refusal with matching records, without a filter, for a verify shard, or when verify failed (that is the answer)', () => {
  refuseUnmatchedFilter(plan(), report(1));
  refuseUnmatchedFilter(plan({ filter: null }), report(0));
  refuseUnmatchedFilter(plan({ shard: { index: 0, count: 2, of: 'abc', purpose: 'verify' } }), report(0));
  refuseUnmatchedFilter(plan(), report(0, false));
});
