import assert from 'node:assert/strict';
import test from 'node:test';
import { describeLateWrites, renderStatus } from '../../../src/cli/render/render-status.ts';
import { followUpFile } from '../../../src/reroute/follow.ts';
import type { JobStatus } from '../../../src/shard/job-status.ts';

test('follow-up plan files are numbered beside the first', () => {
  assert.equal(followUpFile('plans/b.plan.json', 2), 'plans/b.plan.2.json');
  assert.equal(followUpFile('b.plan.json', 12), 'b.plan.12.json');
  assert.equal(followUpFile('b-plan', 3), 'b-plan.3');
});

const NONE: JobStatus = { planHash: 'h', layout: 'none', parts: [], total: { copied: 0, planned: 0, ratePerSec: null, etaSeconds: null, done: false } };

test('status shows the late writes per topic, and says when the count is a lower bound', () => {
  const late = {
    records: 14,
    capped: true,
    topics: [{ topic: 'orders', records: 14, firstTimestamp: '1796590000000', lastTimestamp: '1796590060000', offsetsAfterEnd: 200_000, capped: true }],
  };
  const lines = renderStatus(NONE, 'b.plan.json', late);
  assert.match(lines.join('\n'), /Late writes: at least 14 matching records after the plan's end:\n.*orders\s+≥ 14 records\s+2026-12-06T\S+ … 2026-12-06T\S+/);
  assert.match(lines.at(-1)!, /lower bounds/);
  assert.match(
    describeLateWrites(late, 'b.plan.json'),
    /^at least 14 matching records .* still writing to the wrong cluster; .*kreroute plan --after b\.plan\.json/,
  );
  assert.deepEqual(
    renderStatus(NONE, 'b.plan.json', { records: 0, capped: false, topics: [] }).at(-1),
    "Late writes: none (no matching record reached the source after the plan's end).",
  );
  assert.equal(renderStatus(NONE, 'b.plan.json', null).length, 2);
});
