import assert from 'node:assert/strict';
import test from 'node:test';
import { toJsonLine } from '../../../../src/cli/render/output.ts';
import { renderPlan } from '../../../../src/cli/render/render-plan.ts';
import { renderPurge } from '../../../../src/cli/render/render-purge.ts';
import { renderVerify } from '../../../../src/cli/render/render-verify.ts';
import { describeFailure, usageFailure } from '../../../../src/cli/exit.ts';
import { KrerouteError } from '../../../../src/common/errors.ts';
import type { Plan } from '../../../../src/plan/plan.ts';
import type { PartitionVerdict, VerifyReport } from '../../../../src/verify/report.ts';

const plan: Plan = {
  format: 'kreroute-plan',
  version: 1,
  createdAt: '2026-11-01T00:00:00.000Z',
  source: { clusterId: 'SRC', bootstrap: 'old:9092' },
  destination: { clusterId: 'DST', bootstrap: 'new:9092' },
  range: { from: 'earliest', to: 'latest' },
  filter: { kind: 'key-prefix', prefix: 'tenant-b:' },
  mapping: 'same',
  topics: [
    {
      source: 'orders',
      destination: 'orders',
      sourcePartitions: 2,
      destinationPartitions: 2,
      destinationMaxMessageBytes: 1048588,
      partitions: [
        {
          partition: 0,
          start: '100',
          end: '2600',
          destinationPartition: 0,
          upperBound: 2500,
          exact: { records: 812, bytes: 90_000, largestRecordBytes: 300, otherRecords: 1688, minTimestamp: '1793491200000', maxTimestamp: '1793494800000' },
        },
        { partition: 1, start: '0', end: '0', destinationPartition: 1, upperBound: 0, exact: null },
      ],
    },
  ],
  estimate: { records: 812, exact: true, bytes: 90_000, seconds: 1 },
  checks: [
    { level: 'info', code: 'TOPIC_CREATED', topic: 'orders', message: 'created destination topic orders' },
    { level: 'warning', code: 'START_BEFORE_LOG', topic: 'orders', partition: 0, message: 'orders[0] starts at 100' },
  ],
  hash: 'abcdef0123456789',
};

test('the plan summary shows ranges, counts, destination partitions, totals and checks', () => {
  const text = renderPlan(plan, 'b.plan.json').join('\n');
  assert.match(text, /Plan written to b\.plan\.json \(hash abcdef012345\)/);
  assert.match(text, /filter +key starts with "tenant-b:"/);
  assert.match(text, /orders → orders {2}\(2 → 2 partitions/);
  assert.match(text, /0 +100 … 2,600 +812 \(\+1,688 others\) +88 KiB +2026-11-01 00:00:00 … 01:00:00 UTC +0/);
  assert.match(text, /Total: 812 records \(exact\)/);
  // warnings are listed before infos
  assert.match(text, /Checks:\n +warning +START_BEFORE_LOG +orders\[0\]: orders\[0\] starts at 100\n +info +TOPIC_CREATED/);
});

const verdict = (overrides: Partial<PartitionVerdict>): PartitionVerdict => ({
  sourceTopic: 'orders',
  sourcePartitions: [0],
  destinationTopic: 'orders',
  destinationPartition: 0,
  sourceCount: 812,
  destinationCount: 812,
  sourceDigest: 'aaaaaaaaaaaaaaaa',
  destinationDigest: 'aaaaaaaaaaaaaaaa',
  foreignRecords: 0,
  anchors: null,
  passed: true,
  firstDivergence: null,
  missing: [],
  extra: [],
  altered: [],
  ...overrides,
});

test('a failed verification shows the partition, the first divergence and examples', () => {
  const report: VerifyReport = {
    planHash: 'abc',
    passed: false,
    verifiedAt: '2026-11-01T00:00:00.000Z',
    partitions: [
      verdict({}),
      verdict({
        sourcePartitions: [1],
        destinationPartition: 1,
        destinationCount: 811,
        destinationDigest: 'bbbbbbbbbbbbbbbb',
        passed: false,
        firstDivergence: 17,
        missing: [{ topic: 'orders', partition: 1, offset: '812', key: 'tenant-b:order-7', timestamp: '1793491200000' }],
        altered: [
          {
            source: { topic: 'orders', partition: 1, offset: '900', key: 'tenant-b:order-9', timestamp: '1793491200000' },
            destination: { topic: 'orders', partition: 1, offset: '40', key: 'tenant-b:order-9', timestamp: '1793491200001' },
          },
        ],
      }),
    ],
    otherRecords: [],
    timestampsNotCompared: [],
  };
  const text = renderVerify(report, 'b.plan.json').join('\n');
  assert.match(text, /Verification FAILED: 1 of 2 destination partitions differ/);
  assert.match(text, /orders\[1\] → orders\[1\] +FAIL +source 812, destination 811/);
  assert.match(text, /orders\[1\]: first difference at record position 17/);
  assert.match(text, /missing on the destination.*:\n +orders\[1\]@812 key="tenant-b:order-7" time=2026-11-01T00:00:00\.000Z/);
  assert.match(text, /altered.*\n +orders\[1\]@900 .* ≠ {2}orders\[1\]@40 /);
  assert.match(text, /Do not purge/);
});

test('a verification failed by planned records present twice names them, with their destination offsets and counts', () => {
  const twice = verdict({
    passed: false,
    duplicates: {
      records: 2000,
      searchedFrom: '0',
      examples: [
        {
          source: { topic: 'orders', partition: 0, offset: '100', key: 'tenant-b:order-1', timestamp: '1793491200000' },
          planned: 1,
          copies: 2,
          otherCopiesAt: ['2001'],
        },
      ],
    },
  });
  const text = renderVerify(
    { planHash: 'abc', passed: false, verifiedAt: '', partitions: [twice], otherRecords: [], timestampsNotCompared: [] },
    'b.plan.json',
  ).join('\n');
  assert.match(text, /Verification FAILED: 1 of 1/);
  assert.match(text, /orders\[0\] → orders\[0\] +FAIL +812 records, 2,000 twice/);
  assert.match(
    text,
    /orders\[0\]: 2,000 planned records are here twice: copies other producers wrote besides the copy's own \(searched from offset 0\):\n +orders\[0\]@100 key="tenant-b:order-1" time=2026-11-01T00:00:00\.000Z {2}2 times \(planned 1\); other copies at offsets 2001$/m,
  );
  assert.doesNotMatch(text, /digests differ/);
  assert.match(text, /Do not purge/);
});

test('records of other producers are noted with what the duplicate search made of them', () => {
  const report = (duplicates: PartitionVerdict['duplicates']): VerifyReport => ({
    planHash: 'abc',
    passed: true,
    verifiedAt: '',
    partitions: [verdict({ foreignRecords: 40, ...(duplicates ? { duplicates } : {}) })],
    otherRecords: [],
    timestampsNotCompared: [],
  });
  assert.match(
    renderVerify(report({ records: 0, searchedFrom: '0', examples: [] }), 'p').join('\n'),
    /orders\[0\] has 40 records from another producer inside the copied range \(none is a copy of a planned record\)/,
  );
  assert.match(renderVerify(report(undefined), 'p').join('\n'), /\(not compared\)/);
});

test('a passed verification with other tenants in range says purge would be refused', () => {
  const report: VerifyReport = {
    planHash: 'abc',
    passed: true,
    verifiedAt: '',
    partitions: [verdict({})],
    otherRecords: [{ topic: 'orders', partition: 0, count: 1688 }],
    timestampsNotCompared: [],
  };
  const text = renderVerify(report, 'b.plan.json').join('\n');
  assert.match(text, /PASSED/);
  assert.match(text, /orders\[0\] +1,688/);
  assert.match(text, /Purge would be refused/);
});

test('a verification without timestamps says so, naming the topic', () => {
  const report: VerifyReport = {
    planHash: 'abc',
    passed: true,
    verifiedAt: '',
    partitions: [verdict({})],
    otherRecords: [],
    timestampsNotCompared: ['orders'],
  };
  const text = renderVerify(report, 'b.plan.json').join('\n');
  assert.match(text, /timestamps on orders were not compared: .*LogAppendTime.*; key, value, headers, order and counts were\./);
  assert.doesNotMatch(renderVerify({ ...report, timestampsNotCompared: [] }, 'b.plan.json').join('\n'), /not compared/);
});

test('purge: what would go, and the new log start offsets', () => {
  const partitions = [{ topic: 'audit', partition: 0, logStartBefore: '0', deleteBefore: '250', records: 250, logStartAfter: null }];
  assert.match(renderPurge({ dryRun: true, partitions }).join('\n'), /would delete 250 records.*\n +audit\[0\] +250 records +log start 0 → 250 \(would be\)/);
  assert.match(
    renderPurge({ dryRun: false, partitions: [{ ...partitions[0]!, logStartAfter: '250' }] }).join('\n'),
    /Purge done: deleted 250 records.*\n +audit\[0\] +250 records +log start 0 → 250$/m,
  );
});

test('failures: one line, exit codes from ERROR_CODES, no stack', () => {
  const failure = describeFailure(new KrerouteError('VERIFY_FAILED', '1 of 4 differ', { hint: 'do not\npurge' }));
  assert.equal(failure.line, 'kreroute: VERIFY_FAILED: 1 of 4 differ — do not purge');
  assert.equal(failure.exitCode, 8);
  const unexpected = describeFailure(new TypeError('x is not a function\n  at foo'));
  assert.equal(unexpected.exitCode, 70);
  assert.match(unexpected.line, /^kreroute: INTERNAL: unexpected error: x is not a function at foo \(set KREROUTE_DEBUG=1 for details\)$/);
  assert.equal(
    usageFailure("error: unknown option '--x'\n(Did you mean --y?)", 'plan').line,
    "kreroute: usage: unknown option '--x' (Did you mean --y?) (see kreroute plan --help)",
  );
});

test('JSON lines carry bigints as strings', () => {
  assert.equal(toJsonLine({ offset: 12n }), '{"offset":"12"}');
});
