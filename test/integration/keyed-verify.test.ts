import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { verifyPlan } from '../../src/index.ts';
import { saveCheckpoint } from '../../src/checkpoint/copy-checkpoint.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';
import { destinationPartitionOf } from '../../src/plan/partition-mapping.ts';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';

const spillFolders = async (): Promise<string[]> => (await readdir(tmpdir())).filter((name) => name.startsWith('kreroute-verify-'));

test('a key-hash copy of many distinct keys, some in several source partitions and some null, verifies, and leaves no spill behind', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('keyed-many');
  await createTopic(sourceBootstrap, topic, 4);
  await createTopic(destinationBootstrap, topic, 3);
  const keyOf = (p: number, i: number): string | null => (i % 50 === 0 ? null : i % 10 === 0 ? `shared-${i % 7}` : `user-${p}-${i}`);
  const seeded = new Map([0, 1, 2, 3].map((p) => [p, Array.from({ length: 5000 }, (_, i) => record(keyOf(p, i), `event ${p}/${i}`))]));
  await produce(sourceBootstrap, topic, seeded);
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, mapping: 'key-hash' });
  const { report } = await copyAndVerify(p, await stateDir('keyed-many'));
  assert.equal(report.passed, true, JSON.stringify(report.partitions.map((v) => v.differingKeys)));
  assert.equal(
    report.partitions.reduce((n, v) => n + v.destinationCount, 0),
    20_000,
  );
  assert.ok(report.partitions.every((v) => v.anchors !== null && v.sourceDigest === v.destinationDigest));
  assert.deepEqual(await spillFolders(), []);
});

test('a destination where one record of a key was moved after another of the same key fails, naming that key', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('keyed-moved');
  await createTopic(sourceBootstrap, topic, 2);
  await createTopic(destinationBootstrap, topic, 3);
  const seeded = new Map(
    [0, 1].map((p) => [
      p,
      Array.from({ length: 100 }, (_, i) => record(`p${p}-key-${i % 20}`, `value ${p}/${i}`, { timestamp: BigInt(Date.now()) - 60_000n + BigInt(i) })),
    ]),
  );
  await produce(sourceBootstrap, topic, seeded);
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, mapping: 'key-hash' });

  // A faithful copy (each source partition's records in order) but for one record of p0-key-7,
  // moved to just after the next record of that key.
  const byDestination = new Map<number, RecordContent[]>([0, 1, 2].map((d) => [d, []]));
  for (const [from, records] of seeded) for (const r of records) byDestination.get(destinationPartitionOf('key-hash', r.key, from, 3))!.push(r);
  const moved = destinationPartitionOf('key-hash', Buffer.from('p0-key-7'), 0, 3);
  const list = byDestination.get(moved)!;
  const [first, second] = list.flatMap((r, i) => (r.key!.toString() === 'p0-key-7' ? [i] : [])) as [number, number];
  list.splice(second, 0, list.splice(first, 1)[0]!);
  const producerId = await produce(destinationBootstrap, topic, byDestination);
  const dir = await stateDir('keyed-moved');
  await saveCheckpoint(dir, {
    format: 'kreroute-checkpoint',
    version: 1,
    planHash: p.hash,
    mode: 'at-least-once',
    producerIds: [String(producerId)],
    sources: Object.fromEntries([0, 1].map((s) => [`${topic}/${s}`, { next: '100', copied: 100, skipped: 0, done: true, alreadyWritten: [] }])),
    destinations: Object.fromEntries(
      [...byDestination].map(([d, records]) => [`${topic}/${d}`, { scanFrom: '0', end: String(records.length), written: records.length }]),
    ),
    complete: true,
    updatedAt: '',
  });

  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  assert.equal(report.passed, false);
  for (const verdict of report.partitions) {
    assert.equal(verdict.sourceCount, verdict.destinationCount);
    assert.equal(verdict.sourceDigest, verdict.destinationDigest, 'the same records, in another order');
    assert.deepEqual(verdict.differingKeys, verdict.destinationPartition === moved ? ['p0-key-7'] : []);
    assert.equal(verdict.passed, verdict.destinationPartition !== moved);
  }
  assert.deepEqual(await spillFolders(), []);
});
