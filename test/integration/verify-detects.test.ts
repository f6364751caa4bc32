import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EngineEvent, copyPlan, verifyPlan } from '../../src/index.ts';
import { saveCheckpoint } from '../../src/checkpoint/copy-checkpoint.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

const records = Array.from({ length: 50 }, (_, i) => record(`key-${i}`, `value-${i}`, { timestamp: BigInt(Date.now()) - 60_000n + BigInt(i) }));

test('verify finds a missing, an extra and an altered record and says where', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('verify-detects');
  await createTopic(sourceBootstrap, topic, 1);
  await createTopic(destinationBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, records]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' } });

  // A faulty copy: record 10 lost, record 20 altered, an extra record after 30.
  const faulty = records.flatMap((r, i) => {
    if (i === 10) return [];
    if (i === 20) return [{ ...r, value: Buffer.from('tampered') }];
    if (i === 30) return [r, record('intruder', 'extra', { timestamp: r.timestamp })];
    return [r];
  });
  const producerId = await produce(destinationBootstrap, topic, new Map([[0, faulty]]));
  const dir = await stateDir('verify-detects');
  await saveCheckpoint(dir, {
    format: 'kreroute-checkpoint',
    version: 1,
    planHash: p.hash,
    mode: 'at-least-once',
    producerIds: [String(producerId)],
    sources: { [`${topic}/0`]: { next: '50', copied: 50, skipped: 0, done: true, alreadyWritten: [] } },
    destinations: { [`${topic}/0`]: { scanFrom: '0', end: String(faulty.length), written: faulty.length } },
    complete: true,
    updatedAt: '',
  });

  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  assert.equal(report.passed, false);
  const [verdict] = report.partitions;
  assert.equal(verdict!.sourceCount, 50);
  assert.equal(verdict!.destinationCount, 50);
  assert.notEqual(verdict!.sourceDigest, verdict!.destinationDigest);
  assert.equal(verdict!.firstDivergence, 10);
  assert.deepEqual(
    verdict!.missing.map((m) => m.key),
    ['key-10'],
  );
  assert.deepEqual(
    verdict!.extra.map((e) => e.key),
    ['intruder'],
  );
  assert.deepEqual(
    verdict!.altered.map((a) => [a.source.key, a.source.offset, a.destination.offset]),
    [['key-20', '20', '19']],
  );
});

test('records another producer wrote among ours are reported as foreign and do not fail verify', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('verify-foreign');
  await createTopic(sourceBootstrap, topic, 1);
  await createTopic(destinationBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, records]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' } });
  // Our copy wrote in two runs; between them the live producer wrote one record of its own.
  const first = await produce(destinationBootstrap, topic, new Map([[0, records.slice(0, 25)]]));
  await produce(destinationBootstrap, topic, new Map([[0, [record('live', 'newer')]]]));
  const second = await produce(destinationBootstrap, topic, new Map([[0, records.slice(25)]]));
  const dir = await stateDir('verify-foreign');
  await saveCheckpoint(dir, {
    format: 'kreroute-checkpoint',
    version: 1,
    planHash: p.hash,
    mode: 'at-least-once',
    producerIds: [String(first), String(second)],
    sources: { [`${topic}/0`]: { next: '50', copied: 50, skipped: 0, done: true, alreadyWritten: [] } },
    destinations: { [`${topic}/0`]: { scanFrom: '0', end: '51', written: 50 } },
    complete: true,
    updatedAt: '',
  });
  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  assert.equal(report.passed, true);
  assert.equal(report.partitions[0]!.foreignRecords, 1);
  assert.equal(report.partitions[0]!.destinationCount, 50);
});

test("verify sees what any run of the plan wrote, not only the last checkpoint's window: a second full copy by the same producer fails it", async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('verify-twice');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(
    sourceBootstrap,
    topic,
    new Map([
      [0, records.slice(0, 25)],
      [1, records.slice(25)],
    ]),
  );
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const first = await stateDir('verify-twice-a');
  await copyPlan(p, { source, destination, stateDir: first });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: first })).passed, true);
  // A run that lost track of the first (another state folder and checkpoint topic) copies it all
  // again, with the same transactional id and so the same producer id.
  const second = await stateDir('verify-twice-b');
  await copyPlan(p, { source, destination, stateDir: second, checkpointTopic: uniqueName('other-checkpoints') });
  for (const dir of [first, second]) {
    const report = await verifyPlan(p, { source, destination, stateDir: dir });
    assert.equal(report.passed, false, 'every record is on the destination twice');
    assert.deepEqual(
      report.partitions.map((x) => [x.sourceCount, x.destinationCount]),
      [
        [25, 50],
        [25, 50],
      ],
    );
  }
});

test('copies that retention or DeleteRecords removed from the destination are reported missing, not a failed read', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('verify-deleted');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, records]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('verify-deleted');
  await copyPlan(p, { source, destination, stateDir: dir });
  const d = cluster(destinationBootstrap);
  try {
    await d.deleteRecordsBefore(topic, new Map([[0, 10n]]));
  } finally {
    await d.close();
  }
  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  assert.equal(report.passed, false);
  assert.deepEqual([report.partitions[0]!.sourceCount, report.partitions[0]!.destinationCount], [50, 40]);
});

test("verify reports its progress: records compared out of the plan's, with rate", async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('verify-progress');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(
    sourceBootstrap,
    topic,
    new Map([
      [0, records.slice(0, 20)],
      [1, records.slice(20)],
    ]),
  );
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('verify-progress');
  await copyPlan(p, { source, destination, stateDir: dir });
  const events: EngineEvent[] = [];
  await verifyPlan(p, { source, destination, stateDir: dir, onEvent: (e) => events.push(e) });
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length > 0 && progress.every((e) => e.stage === 'verify'));
  const last = progress[progress.length - 1]!;
  assert.deepEqual([last.records, last.totalRecords], [50, 50]);
  assert.ok(last.bytes > 0);
});
