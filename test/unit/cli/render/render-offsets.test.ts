import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderOffsets } from '../../../../src/cli/render/render-offsets.ts';
import { quietLine } from '../../../../src/cli/render/render-quiet.ts';
import type { OffsetsReport } from '../../../../src/offsets/offsets-report.ts';
import { jsonLineProblem } from '../../../support/json-output.ts';

const report: OffsetsReport = {
  planHash: 'abc',
  execute: false,
  groups: [
    {
      group: 'billing',
      committed: false,
      partitions: [
        {
          sourceTopic: 'orders',
          sourceCommitted: [{ partition: 0, offset: '40' }],
          destinationTopic: 'orders',
          destinationPartition: 0,
          destinationCommitted: '100',
          translated: '125',
          copiedRecords: 30,
          consumedRecords: 20,
          replayedRecords: 0,
          move: 'forward',
          offsetsMoved: '25',
        },
        {
          sourceTopic: 'orders',
          sourceCommitted: [
            { partition: 1, offset: null },
            { partition: 2, offset: '7' },
          ],
          destinationTopic: 'orders',
          destinationPartition: 1,
          destinationCommitted: null,
          translated: '3',
          copiedRecords: 9,
          consumedRecords: 4,
          replayedRecords: 2,
          move: 'new',
          offsetsMoved: null,
        },
      ],
    },
  ],
};

test('offsets shows per destination partition the source offsets, the offset now, the translated one and what the move does', () => {
  const lines = renderOffsets(report, 'b.plan.json');
  assert.equal(lines[0], 'Group billing (dry run, nothing committed):');
  assert.match(lines[1]!, /source@committed +destination +offset now +continues at +copies consumed +the move/);
  assert.match(lines[2]!, /orders\[0\]@40 +orders\[0\] +100 +125 +20 of 30 +skips 25 offsets/);
  assert.match(lines[3]!, /orders\[1\]@none orders\[2\]@7 +orders\[1\] +none +3 +4 of 9 +new offset, 2 copied records seen twice/);
  assert.equal(lines.at(-1), 'Next: kreroute offsets b.plan.json --group billing --execute');
});

test('--quiet: one line saying whether the offsets were committed', () => {
  assert.equal(quietLine('offsets', { planFile: 'b.plan.json', report }), 'Offsets translated for billing (dry run, nothing committed)');
  assert.equal(quietLine('offsets', { planFile: 'b.plan.json', report: { ...report, execute: true } }), 'Offsets committed on the destination for billing');
});

test('the offsets result fits docs/json-output.schema.json, and a reroute stage with it', () => {
  const time = '2026-12-01T10:00:00.000Z';
  assert.equal(jsonLineProblem({ time, type: 'result', kind: 'offsets', planFile: 'b.plan.json', report }), null);
  assert.equal(jsonLineProblem({ time, type: 'result', kind: 'reroute-stage', planFile: 'b.plan.json', stage: 'offsets', status: 'done', report }), null);
  const group = report.groups[0]!;
  const drifted = { ...report, groups: [{ ...group, partitions: [{ ...group.partitions[0]!, move: 'sideways' }] }] };
  assert.notEqual(jsonLineProblem({ time, type: 'result', kind: 'offsets', planFile: 'b.plan.json', report: drifted }), null);
});
