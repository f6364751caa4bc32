import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { KrerouteError, purgePlan } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

async function logStarts(bootstrap: string, topic: string, partitions: number[]): Promise<bigint[]> {
  const c = cluster(bootstrap);
  try {
    return (await c.listOffsets(topic, partitions, { kind: 'earliest' })).map((l) => l.offset);
  } finally {
    await c.close();
  }
}

const rejects = (code: string) => (error: unknown) => error instanceof KrerouteError && error.code === code;

test('purge refuses before verify, dry-runs, then deletes exactly the planned range', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('purge');
  await createTopic(sourceBootstrap, topic, 2);
  const batch = (p: number) => Array.from({ length: 40 }, (_, i) => record(`k${p}-${i}`, `v${i}`));
  await produce(
    sourceBootstrap,
    topic,
    new Map([
      [0, batch(0)],
      [1, batch(1)],
    ]),
  );
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'offset', offset: 30n }, createTopics: true });
  const dir = await stateDir('purge');

  await assert.rejects(purgePlan(p, { source, destination, stateDir: dir }), rejects('NOT_VERIFIED'));
  const { report } = await copyAndVerify(p, dir);
  assert.equal(report.passed, true);

  const dry = await purgePlan(p, { source, destination, stateDir: dir, dryRun: true });
  assert.deepEqual(
    dry.partitions.map((x) => [x.partition, x.deleteBefore, x.records]),
    [
      [0, '30', 30],
      [1, '30', 30],
    ],
  );
  assert.deepEqual(await logStarts(sourceBootstrap, topic, [0, 1]), [0n, 0n], 'a dry run deletes nothing');

  const done = await purgePlan(p, { source, destination, stateDir: dir });
  assert.deepEqual(
    done.partitions.map((x) => x.logStartAfter),
    ['30', '30'],
  );
  assert.deepEqual(await logStarts(sourceBootstrap, topic, [0, 1]), [30n, 30n], 'records past the plan stay');

  const again = await purgePlan(p, { source, destination, stateDir: dir });
  assert.deepEqual(
    again.partitions.map((x) => x.records),
    [0, 0],
    'a second purge has nothing left to do',
  );
});

test('purge refuses when a tenant filter left other tenants in the range', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('purge-shared');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, [record('a:1', 'x'), record('b:1', 'y'), record('a:2', 'z')]]]));
  const p = await plan({
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    filter: { kind: 'key-prefix', prefix: 'a:' },
    createTopics: true,
  });
  const dir = await stateDir('purge-shared');
  const { report } = await copyAndVerify(p, dir);
  assert.equal(report.passed, true);
  await assert.rejects(purgePlan(p, { source, destination, stateDir: dir, dryRun: true }), rejects('PURGE_UNSAFE'));
  assert.deepEqual(await logStarts(sourceBootstrap, topic, [0]), [0n]);
});

test('purge refuses when records older than the range would be deleted with it', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('purge-older');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 20 }, (_, i) => record(`k${i}`, 'v'))]]));
  const p = await plan({ topics: [topic], from: { kind: 'offset', offset: 10n }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('purge-older');
  assert.equal((await copyAndVerify(p, dir)).report.passed, true);
  await assert.rejects(purgePlan(p, { source, destination, stateDir: dir }), rejects('PURGE_UNSAFE'));
  assert.deepEqual(await logStarts(sourceBootstrap, topic, [0]), [0n]);
});

test("purge trusts no verification file as it is: an edited verdict, another plan's, or one the destination no longer bears out is refused, and nothing is deleted", async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('purge-recheck');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 30 }, (_, i) => record(`k${i}`, `v${i}`))]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('purge-recheck');
  assert.equal((await copyAndVerify(p, dir)).report.passed, true);
  const file = join(dir, 'verification.json');
  const original = await readFile(file, 'utf8');
  const edit = async (change: (report: Record<string, any>) => void) => {
    const report = JSON.parse(original);
    change(report);
    await writeFile(file, JSON.stringify(report));
  };

  await edit((r) => {
    r.partitions[0].destinationDigest = 'f'.repeat(64);
  });
  await assert.rejects(
    purgePlan(p, { source, destination, stateDir: dir, dryRun: true }),
    (e: unknown) => e instanceof KrerouteError && e.code === 'NOT_VERIFIED' && /does not agree with itself/.test(e.message),
  );
  await edit((r) => {
    r.planHash = 'another-plan';
  });
  await assert.rejects(
    purgePlan(p, { source, destination, stateDir: dir, dryRun: true }),
    (e: unknown) => e instanceof KrerouteError && e.code === 'NOT_VERIFIED' && /another plan/.test(e.message),
  );
  await edit((r) => {
    r.partitions = [];
  });
  await assert.rejects(
    purgePlan(p, { source, destination, stateDir: dir, dryRun: true }),
    (e: unknown) => e instanceof KrerouteError && e.code === 'NOT_VERIFIED' && /does not cover/.test(e.message),
  );

  // The destination loses the copy (DeleteRecords) after verify: purge must not believe the old verdict.
  await writeFile(file, original);
  assert.equal((await purgePlan(p, { source, destination, stateDir: dir, dryRun: true })).partitions[0]!.records, 30);
  const d = cluster(destinationBootstrap);
  try {
    await d.deleteRecordsBefore(topic, new Map([[0, 10n]]));
  } finally {
    await d.close();
  }
  await assert.rejects(
    purgePlan(p, { source, destination, stateDir: dir }),
    (e: unknown) =>
      e instanceof KrerouteError &&
      e.code === 'NOT_VERIFIED' &&
      /destination .*\[0\] now starts at offset 10, past the copied records from offset 0/.test(e.message),
  );
  assert.deepEqual(await logStarts(sourceBootstrap, topic, [0]), [0n], 'nothing was deleted from the source');
});
