import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { type Plan, type VerifyReport, copyPlan, purgePlan, verifyPlan } from '../../src/index.ts';
import { uniqueName } from '../harness/clusters.ts';
import { plan, sides, stateDir } from '../harness/engine.ts';
import { createTopic, produce, record } from '../harness/fixtures.ts';

// Records a day old: a misrouted tenant's records are noticed late.
const DAY_AGO = BigInt(Date.now()) - 86_400_000n;
const seeded = (partitions: number, perPartition: number) =>
  new Map(Array.from({ length: partitions }, (_, p) => [p, Array.from({ length: perPartition }, (_, i) => record(`tenant-a-${p}-${i % 300}`, `event ${p}/${i}`, { timestamp: DAY_AGO + BigInt(i) }))]));

const duplicatesOf = (report: VerifyReport) => report.partitions.map((v) => v.duplicates?.records ?? 0);

async function refusedPurge(p: Plan, dir: string): Promise<void> {
  const { source, destination } = sides();
  await assert.rejects(purgePlan(p, { source, destination, stateDir: dir }), (error: Error & { code?: string }) => error.code === 'NOT_VERIFIED');
}

test('a second plan over the same range into the same destination (copy --accept-overlap): both verifies fail naming the records twice, purge refuses', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('dupes-second-plan');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, seeded(2, 2000));
  const first = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const firstDir = await stateDir('dupes-first');
  await copyPlan(first, { source, destination, stateDir: firstDir });
  assert.equal((await verifyPlan(first, { source, destination, stateDir: firstDir })).passed, true);

  const second = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' } });
  assert.ok(second.checks.some((c) => c.code === 'OVERLAP'), 'the second plan sees the first copy as newer records');
  const secondDir = await stateDir('dupes-second');
  await copyPlan(second, { source, destination, stateDir: secondDir, acceptOverlap: true });

  const reports = [await verifyPlan(second, { source, destination, stateDir: secondDir }), await verifyPlan(first, { source, destination, stateDir: firstDir })];
  for (const report of reports) {
    assert.equal(report.passed, false, 'every planned record is on the destination twice');
    assert.deepEqual(duplicatesOf(report), [2000, 2000]);
    const example = report.partitions[0]!.duplicates!.examples[0]!;
    assert.equal(example.source.topic, topic);
    assert.match(example.source.key ?? '', /^tenant-a-0-/);
    assert.equal(example.copies, 2);
    // Its two copies: one by each plan's copy, 2,000 offsets apart.
    assert.deepEqual(example.destinationOffsets.map(BigInt).map((o) => o % 2000n), [BigInt(example.source.offset), BigInt(example.source.offset)]);
    assert.equal(example.destinationOffsets.length, 2);
  }
  await refusedPurge(second, secondDir);
  await refusedPurge(first, firstDir);
});

test('a lost state folder: an at-least-once copy run again from scratch into the same destination fails verify', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('dupes-lost-state');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, seeded(1, 1000));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('dupes-lost-state');
  await copyPlan(p, { source, destination, stateDir: dir, mode: 'at-least-once' });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir })).passed, true);
  await rm(dir, { recursive: true, force: true });
  await copyPlan(p, { source, destination, stateDir: dir, mode: 'at-least-once' });
  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  assert.equal(report.passed, false);
  assert.deepEqual(duplicatesOf(report), [1000]);
  assert.deepEqual(report.partitions[0]!.duplicates!.examples[0]!.destinationOffsets, ['0', '1000']);
  await refusedPurge(p, dir);
});

test('records other producers write into the destination partitions during and after the copy are allowed: verify passes', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('dupes-live');
  await createTopic(sourceBootstrap, topic, 2);
  await createTopic(destinationBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, seeded(2, 2000));
  const live = (n: number) => new Map([0, 1].map((p) => [p, Array.from({ length: n }, (_, i) => record(`tenant-b-${i}`, `live ${p}/${i}`))]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' } });
  // Before the copy (inside the window, as the plan was made before), during it and after it.
  await produce(destinationBootstrap, topic, live(100));
  const dir = await stateDir('dupes-live');
  await Promise.all([copyPlan(p, { source, destination, stateDir: dir, maxRatePerSec: 8000 }), produce(destinationBootstrap, topic, live(300), 10)]);
  await produce(destinationBootstrap, topic, live(100));
  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  assert.equal(report.passed, true, JSON.stringify(report.partitions.map((v) => v.duplicates)));
  assert.deepEqual(report.partitions.map((v) => v.foreignRecords), [500, 500]);
  assert.deepEqual(duplicatesOf(report), [0, 0]);
});

test('key-hash mapping: a second plan over the same range fails verify naming the records twice', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('dupes-keyed');
  await createTopic(sourceBootstrap, topic, 2);
  await createTopic(destinationBootstrap, topic, 3);
  await produce(sourceBootstrap, topic, seeded(2, 1000));
  const first = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, mapping: 'key-hash' });
  const firstDir = await stateDir('dupes-keyed-first');
  await copyPlan(first, { source, destination, stateDir: firstDir, mode: 'at-least-once' });
  assert.equal((await verifyPlan(first, { source, destination, stateDir: firstDir })).passed, true);
  const second = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, mapping: 'key-hash' });
  const secondDir = await stateDir('dupes-keyed-second');
  await copyPlan(second, { source, destination, stateDir: secondDir, acceptOverlap: true });
  for (const [p, dir] of [[second, secondDir], [first, firstDir]] as const) {
    const report = await verifyPlan(p, { source, destination, stateDir: dir });
    assert.equal(report.passed, false);
    assert.equal(duplicatesOf(report).reduce((a, b) => a + b, 0), 2000);
    const example = report.partitions.find((v) => (v.duplicates?.records ?? 0) > 0)!.duplicates!.examples[0]!;
    assert.equal(example.copies, 2);
    assert.equal(example.destinationOffsets.length, 2);
    await refusedPurge(p, dir);
  }
});
