import assert from 'node:assert/strict';
import test from 'node:test';
import { copyPlan } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';

const overlapsOf = (checks: Array<{ code: string; partition?: number }>) => checks.filter((c) => c.code === 'OVERLAP').map((c) => c.partition);

test("the overlap check looks past an exactly-once copy's commit markers to the newest data record", { timeout: 120_000 }, async (t) => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('overlap-markers');
  await createTopic(sourceBootstrap, topic, 1);
  await createTopic(destinationBootstrap, topic, 1);
  const now = BigInt(Date.now());
  const minutesAgo = (m: number) => now - BigInt(m * 60_000);
  const tenant = (name: string, m: number) =>
    Array.from({ length: 10 }, (_, i) => record(`${name}-${i}`, 'v', { timestamp: minutesAgo(m) + BigInt(i), headers: [['tenant', name]] }));
  // tenant-a's records an hour old; tenant-b's half an hour: older than the copy of tenant-a (its commit markers), newer than its records.
  await produce(sourceBootstrap, topic, new Map([[0, [...tenant('tenant-a', 60), ...tenant('tenant-b', 30)]]]));
  const only = (name: string) => ({ kind: 'header' as const, name: 'tenant', value: name });
  const planOf = (name: string) => plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, filter: only(name), exact: true });

  const a = await planOf('tenant-a');
  const summary = await copyPlan(a, { source, destination, stateDir: await stateDir('overlap-markers'), mode: 'exactly-once' });
  assert.equal(summary.mode, 'exactly-once');

  const b = await planOf('tenant-b');
  assert.deepEqual(overlapsOf(b.checks), [], `the commit markers alone are no overlap: ${JSON.stringify(b.checks)}`);
  const marker = b.checks.find((c) => c.code === 'NEWEST_IS_MARKER');
  assert.equal(marker?.level, 'info');
  t.diagnostic(marker.message);
  assert.match(
    marker.message,
    /is a transaction marker's \(or an aborted record's\); no committed record from .* on \(read \d+ offsets from \d+\): no overlap/,
  );

  // A real record newer than tenant-b's oldest (ten minutes old: still older than the markers) is an overlap.
  await produce(destinationBootstrap, topic, new Map([[0, [record('someone-else', 'x', { timestamp: minutesAgo(10) })]]]));
  const again = await planOf('tenant-b');
  assert.deepEqual(overlapsOf(again.checks), [0]);
  assert.match(
    again.checks.find((c) => c.code === 'OVERLAP')!.message,
    new RegExp(`already holds records up to ${new Date(Number(minutesAgo(10))).toISOString()}`),
  );
});
