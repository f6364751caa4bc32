import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { type EngineEvent, type Plan, type VerifyReport, copyPlan, purgePlan, verifyPlan } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';

// Records a day old: a misrouted tenant's records are noticed late.
const DAY_AGO = BigInt(Date.now()) - 86_400_000n;
const seeded = (partitions: number, perPartition: number) =>
  new Map(
    Array.from({ length: partitions }, (_, p) => [
      p,
      Array.from({ length: perPartition }, (_, i) => record(`tenant-a-${p}-${i % 300}`, `event ${p}/${i}`, { timestamp: DAY_AGO + BigInt(i) })),
    ]),
  );

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
  assert.ok(
    second.checks.some((c) => c.code === 'OVERLAP'),
    'the second plan sees the first copy as newer records',
  );
  const secondDir = await stateDir('dupes-second');
  await copyPlan(second, { source, destination, stateDir: secondDir, acceptOverlap: true });

  const said: string[] = [];
  const onEvent = (event: EngineEvent) => void (event.type === 'info' && said.push(event.message));
  const reports = [
    await verifyPlan(second, { source, destination, stateDir: secondDir, onEvent }),
    await verifyPlan(first, { source, destination, stateDir: firstDir }),
  ];
  // The second plan's window starts after the first copy: the search says it reaches back before it.
  assert.ok(
    said.some((m) => m.includes(`searching other producers' records for copies of planned records: ${topic}[0] from 0, ${topic}[1] from 0`)),
    said.join('\n'),
  );
  for (const [i, report] of reports.entries()) {
    assert.equal(report.passed, false, 'every planned record is on the destination twice');
    assert.deepEqual(duplicatesOf(report), [2000, 2000]);
    const example = report.partitions[0]!.duplicates!.examples[0]!;
    assert.deepEqual(
      [example.source.topic, example.source.partition, example.source.offset, example.source.key, example.planned, example.copies],
      [topic, 0, '0', 'tenant-a-0-0', 1, 2],
    );
    // The other copy: for the second plan the first plan's, at the start (before its window); for
    // the first plan the second plan's, after all of the first's (and their commit markers).
    assert.equal(example.otherCopiesAt.length, 1);
    if (i === 0) assert.deepEqual([example.otherCopiesAt[0], report.partitions[0]!.duplicates!.searchedFrom], ['0', '0']);
    else assert.ok(BigInt(example.otherCopiesAt[0]!) >= 2000n, example.otherCopiesAt.join(', '));
  }
  await refusedPurge(second, secondDir);
  await refusedPurge(first, firstDir);
});

test('a lost state folder and checkpoint topic: an at-least-once copy run again from scratch into the same destination fails verify', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('dupes-lost-state');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, seeded(1, 1000));
  // An exact plan: the search learns the planned time span from its counts.
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true, exact: true });
  const dir = await stateDir('dupes-lost-state');
  await copyPlan(p, { source, destination, stateDir: dir, mode: 'at-least-once' });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir })).passed, true);
  await rm(dir, { recursive: true, force: true });
  // The state folder alone is not enough to lose track: the copy's checkpoint is mirrored on the destination.
  assert.equal((await copyPlan(p, { source, destination, stateDir: dir, mode: 'at-least-once' })).alreadyComplete, true);
  // With the checkpoint topic gone too (recreated, or another one given), the copy starts again from scratch.
  await rm(dir, { recursive: true, force: true });
  const checkpointTopic = uniqueName('recreated-checkpoints');
  assert.equal((await copyPlan(p, { source, destination, stateDir: dir, mode: 'at-least-once', checkpointTopic })).records, 1000);
  const report = await verifyPlan(p, { source, destination, stateDir: dir, checkpointTopic });
  assert.equal(report.passed, false);
  assert.deepEqual(duplicatesOf(report), [1000]);
  // The copy verified is the second; the first, now another producer's, lies before it.
  assert.deepEqual(report.partitions[0]!.duplicates!.examples[0]!.otherCopiesAt, ['0']);
  assert.equal(report.partitions[0]!.duplicates!.examples[0]!.source.offset, '0');
  await assert.rejects(
    purgePlan(p, { source, destination, stateDir: dir, checkpointTopic }),
    (error: Error & { code?: string }) => error.code === 'NOT_VERIFIED',
  );
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
  assert.deepEqual(
    report.partitions.map((v) => v.foreignRecords),
    [500, 500],
  );
  assert.deepEqual(duplicatesOf(report), [0, 0]);
  assert.deepEqual(
    report.partitions.map((v) => v.duplicates?.searchedFrom),
    ['0', '0'],
  );

  // Another tool then writes three of the planned records again: whoever wrote them, they are twice.
  const again = seeded(2, 2000).get(1)!.slice(10, 13);
  await produce(destinationBootstrap, topic, new Map([[1, again]]));
  const after = await verifyPlan(p, { source, destination, stateDir: dir });
  assert.equal(after.passed, false);
  assert.deepEqual(duplicatesOf(after), [0, 3]);
  assert.deepEqual(
    after.partitions[1]!.duplicates!.examples.map((e) => [e.source.partition, e.source.offset, e.copies]),
    [
      [1, '10', 2],
      [1, '11', 2],
      [1, '12', 2],
    ],
  );
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
  const second = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, mapping: 'key-hash', exact: true });
  const secondDir = await stateDir('dupes-keyed-second');
  await copyPlan(second, { source, destination, stateDir: secondDir, acceptOverlap: true });
  for (const [p, dir] of [
    [second, secondDir],
    [first, firstDir],
  ] as const) {
    const report = await verifyPlan(p, { source, destination, stateDir: dir });
    assert.equal(report.passed, false);
    assert.equal(
      duplicatesOf(report).reduce((a, b) => a + b, 0),
      2000,
    );
    const example = report.partitions.find((v) => (v.duplicates?.records ?? 0) > 0)!.duplicates!.examples[0]!;
    assert.equal(example.copies, 2);
    assert.equal(example.otherCopiesAt.length, 1);
    await refusedPurge(p, dir);
  }
});

test('a destination stamping the append time (timestamps not compared): a second plan over the same range still fails verify', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('dupes-append-time');
  await createTopic(sourceBootstrap, topic, 1);
  await createTopic(destinationBootstrap, topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
  await produce(sourceBootstrap, topic, seeded(1, 500));
  const request = () => plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, acceptLogAppendTime: true });
  const first = await request();
  await copyPlan(first, { source, destination, stateDir: await stateDir('dupes-append-first') });
  const second = await request();
  const dir = await stateDir('dupes-append-second');
  await copyPlan(second, { source, destination, stateDir: dir, acceptOverlap: true });
  const report = await verifyPlan(second, { source, destination, stateDir: dir });
  assert.deepEqual(report.timestampsNotCompared, [topic]);
  assert.equal(report.passed, false);
  assert.deepEqual(duplicatesOf(report), [500]);
  assert.deepEqual(report.partitions[0]!.duplicates!.examples[0]!.otherCopiesAt, ['0']);
});

test('two plans of the same range made at once and copied side by side (one exactly-once, one at-least-once): both verifies fail', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('dupes-side-by-side');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, seeded(2, 1500));
  const request = () => plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const first = await request();
  const second = await request();
  assert.notEqual(first.hash, second.hash);
  const [a, b] = [await stateDir('dupes-side-a'), await stateDir('dupes-side-b')];
  await Promise.all([
    copyPlan(first, { source, destination, stateDir: a, mode: 'exactly-once' }),
    copyPlan(second, { source, destination, stateDir: b, mode: 'at-least-once', maxRatePerSec: 5000 }),
  ]);
  for (const [p, dir] of [
    [first, a],
    [second, b],
  ] as const) {
    const report = await verifyPlan(p, { source, destination, stateDir: dir });
    assert.equal(report.passed, false);
    assert.deepEqual(duplicatesOf(report), [1500, 1500]);
    assert.ok(
      report.partitions.every((v) => v.sourceCount === v.destinationCount),
      'each copy on its own is complete',
    );
  }
});
