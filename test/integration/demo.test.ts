// The demo end to end, small: two brokers of its own, the expected purge refusal, the reroute with purge.
import assert from 'node:assert/strict';
import test from 'node:test';
import { runDemo } from '../../src/demo/demo.ts';
import type { DemoReporter } from '../../src/demo/reporter.ts';
import type { KrerouteError } from '../../src/common/errors.ts';

test('the demo moves tenant-b, is refused the shared purge, and purges the topic tenant-b owns', { timeout: 240_000 }, async () => {
  const seen = {
    steps: [] as string[],
    lines: [] as string[],
    refusals: [] as KrerouteError[],
    verified: [] as boolean[],
    stages: [] as string[],
    copied: [] as number[],
  };
  const reporter: DemoReporter = {
    step: (title) => seen.steps.push(title),
    say: (line) => seen.lines.push(line),
    plan: () => undefined,
    copy: (summary) => seen.copied.push(summary.records),
    verify: (report) => seen.verified.push(report.passed),
    refusal: (error) => seen.refusals.push(error),
    rerouteStage: (outcome) => seen.stages.push(`${outcome.stage}:${outcome.status}`),
    onEvent: () => undefined,
  };
  const result = await runDemo({ reporter, messagesPerTenant: 200, auditMessages: 60 });
  assert.equal(seen.steps.length, 8);
  assert.deepEqual(seen.copied, [202], "tenant-b's 200 orders, a tombstone and a binary record");
  assert.deepEqual(seen.verified, [true]);
  assert.deepEqual(
    seen.refusals.map((e) => e.code),
    ['PURGE_UNSAFE'],
  );
  assert.deepEqual(seen.stages, ['plan:done', 'copy:done', 'verify:done', 'purge:done']);
  assert.ok(
    seen.lines.some((l) => /right cluster +orders: 202 messages, all of tenant-b/.test(l)),
    seen.lines.join('\n'),
  );
  assert.ok(
    seen.lines.some((l) => /wrong cluster +tenant-b-audit: 0 messages left/.test(l)),
    seen.lines.join('\n'),
  );
  assert.equal(result.kept, false);
  assert.ok(result.seconds > 0);
});
