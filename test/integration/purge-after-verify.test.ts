import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Plan, copyPlan, purgePlan, verifyPlan, writePlanFile } from '../../src/index.ts';
import { runKreroute } from '../support/cli-run.ts';
import { uniqueName } from '../support/clusters.ts';
import { openForeignTransaction } from '../support/foreign-transaction.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

// Purge acts on a saved verdict: what reached the destination after verify must not be a copy of the planned records.
const DAY_AGO = BigInt(Date.now()) - 86_400_000n;
const seeded = (partitions: number, perPartition: number) =>
  new Map(
    Array.from({ length: partitions }, (_, p) => [
      p,
      Array.from({ length: perPartition }, (_, i) => record(`tenant-a-${p}-${i % 300}`, `event ${p}/${i}`, { timestamp: DAY_AGO + BigInt(i) })),
    ]),
  );

const refusal = (pattern: RegExp) => (error: Error & { code?: string }) => {
  assert.equal(error.code, 'NOT_VERIFIED', error.message);
  assert.match(error.message, pattern);
  return true;
};

async function sourceLogStarts(topic: string, partitions: number[]): Promise<bigint[]> {
  const source = cluster(sides().sourceBootstrap);
  try {
    return (await source.listOffsets(topic, partitions, { kind: 'earliest' })).map((l) => l.offset);
  } finally {
    await source.close();
  }
}

async function purge(p: Plan, dir: string, extra: { dryRun?: boolean; checkpointTopic?: string; waitTimeoutMs?: number } = {}) {
  const { source, destination } = sides();
  const { waitTimeoutMs, ...rest } = extra;
  return purgePlan(p, { source, destination: { ...destination, ...(waitTimeoutMs ? { waitTimeoutMs } : {}) }, stateDir: dir, ...rest });
}

test('plan 1 copied and verified, then plan 2 over the same range copied into the same destination (--accept-overlap): purge of plan 1 refuses on its older passing verdict, also as a dry run; the source keeps every record', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('since-second-plan');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, seeded(2, 2000));
  const first = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const firstDir = await stateDir('since-first');
  await copyPlan(first, { source, destination, stateDir: firstDir });
  assert.equal((await verifyPlan(first, { source, destination, stateDir: firstDir })).passed, true);

  const second = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' } });
  const secondDir = await stateDir('since-second');
  await copyPlan(second, { source, destination, stateDir: secondDir, acceptOverlap: true });

  const expected = new RegExp(
    `^purge refused: 2000 records stamped within the planned span reached ${topic}\\[0\\] after verify \\(offsets 2001\\.\\.4000; 2 partitions like this\\): another copy of the same records\\? run kreroute verify again$`,
  );
  await assert.rejects(purge(first, firstDir, { dryRun: true }), refusal(expected));
  await assert.rejects(purge(first, firstDir), refusal(expected));
  const planFile = join(firstDir, 'first.plan.json');
  await writePlanFile(planFile, first);
  const run = await runKreroute(['purge', planFile, '--dry-run', '--state-dir', firstDir]);
  assert.equal(run.code, 9, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(`kreroute: NOT_VERIFIED: purge refused: 2000 records stamped within the planned span reached ${topic}\\[0\\] after verify`),
  );
  assert.deepEqual(await sourceLogStarts(topic, [0, 1]), [0n, 0n]);
});

test('a live destination: another producer writes current-time records after verify, purge goes ahead', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('since-live');
  await createTopic(sourceBootstrap, topic, 2);
  await createTopic(destinationBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, seeded(2, 1000));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' } });
  const dir = await stateDir('since-live');
  await copyPlan(p, { source, destination, stateDir: dir });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir })).passed, true);
  const live = new Map([0, 1].map((d) => [d, Array.from({ length: 2000 }, (_, i) => record(`tenant-b-${i}`, `live ${d}/${i}`))]));
  await produce(destinationBootstrap, topic, live);
  const said: string[] = [];
  const { source: sourceSettings, destination: destinationSettings } = sides();
  const report = await purgePlan(p, {
    source: sourceSettings,
    destination: destinationSettings,
    stateDir: dir,
    onEvent: (e) => void (e.type === 'info' && said.push(e.message)),
  });
  assert.deepEqual(
    report.partitions.map((x) => x.logStartAfter),
    ['1000', '1000'],
  );
  assert.ok(
    said.some((m) => /^since verify, 4000 offset\(s\) reached the destination partitions; none holds a record stamped within the planned span/.test(m)),
    said.join('\n'),
  );
});

test('a re-copy from a lost state folder after verify (at-least-once, new checkpoint topic): purge refuses', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('since-lost-state');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, seeded(1, 1000));
  // An exact plan: verify widens the span from batch headers to the counted oldest and newest record.
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true, exact: true });
  const dir = await stateDir('since-lost-state');
  await copyPlan(p, { source, destination, stateDir: dir, mode: 'at-least-once' });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir })).passed, true);
  const lost = await stateDir('since-lost-state-again');
  assert.equal(
    (await copyPlan(p, { source, destination, stateDir: lost, mode: 'at-least-once', checkpointTopic: uniqueName('other-checkpoints') })).records,
    1000,
  );
  await assert.rejects(
    purge(p, dir),
    refusal(new RegExp(`1000 records stamped within the planned span reached ${topic}\\[0\\] after verify \\(offsets 1000\\.\\.1999\\)`)),
  );
  assert.deepEqual(await sourceLogStarts(topic, [0]), [0n]);
  await rm(lost, { recursive: true, force: true });
});

test("a destination stamping the append time (timestamps prove nothing): records after verify are compared by content; another producer's record passes, planned records written again refuse", async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('since-append-time');
  await createTopic(sourceBootstrap, topic, 1);
  await createTopic(destinationBootstrap, topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
  await produce(sourceBootstrap, topic, seeded(1, 500));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, acceptLogAppendTime: true });
  const dir = await stateDir('since-append-time');
  await copyPlan(p, { source, destination, stateDir: dir });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir })).passed, true);
  await produce(destinationBootstrap, topic, new Map([[0, [record('tenant-b', 'live')]]]));
  assert.equal((await purge(p, dir, { dryRun: true })).dryRun, true);
  // Another tool writes three planned records again, stamped now by the destination.
  await produce(destinationBootstrap, topic, new Map([[0, seeded(1, 500).get(0)!.slice(20, 23)]]));
  await assert.rejects(
    purge(p, dir, { dryRun: true }),
    refusal(
      new RegExp(
        `^purge refused: 3 records with the key, value and headers of planned records reached ${topic}\\[0\\] after verify \\(offsets 502\\.\\.504; the destination stamps the append time\\): another copy of the same records\\? run kreroute verify again$`,
      ),
    ),
  );
  assert.deepEqual(await sourceLogStarts(topic, [0]), [0n]);
});

test('a verdict that does not say how far verify read the destination (older kreroute): purge refuses, run verify again', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('since-old-verdict');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, seeded(1, 100));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('since-old-verdict');
  await copyPlan(p, { source, destination, stateDir: dir });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir })).passed, true);
  const path = join(dir, 'verification.json');
  const verdict = JSON.parse(await readFile(path, 'utf8'));
  // Newer than the copy kept on the destination, so purge reads this one.
  verdict.verifiedAt = new Date(Date.now() + 60_000).toISOString();
  for (const partition of verdict.partitions) {
    delete partition.readTo;
    delete partition.plannedTimestamps;
  }
  await writeFile(path, JSON.stringify(verdict));
  await assert.rejects(purge(p, dir, { dryRun: true }), refusal(/does not say how far verify read .*run kreroute verify again/));
});

test("another producer's open transaction after verify: purge waits within --wait-timeout, then refuses (wait and purge again)", async (t) => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('since-open-transaction');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, seeded(1, 100));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('since-open-transaction');
  await copyPlan(p, { source, destination, stateDir: dir });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir })).passed, true);
  const transaction = await openForeignTransaction(t, destinationBootstrap, topic);
  const started = Date.now();
  await assert.rejects(
    purge(p, dir, { waitTimeoutMs: 3_000 }),
    refusal(new RegExp(`${topic}\\[0\\] holds another producer's open transaction after verify.*wait and purge again`)),
  );
  assert.ok(Date.now() - started < 30_000);
  await transaction.abort();
  assert.deepEqual(
    (await purge(p, dir)).partitions.map((x) => x.logStartAfter),
    ['100'],
  );
});

test('key-hash mapping: plan 1 verified, then plan 2 over the same range copied into the same destination: purge of plan 1 refuses', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('since-keyed');
  await createTopic(sourceBootstrap, topic, 2);
  await createTopic(destinationBootstrap, topic, 3);
  await produce(sourceBootstrap, topic, seeded(2, 1000));
  const first = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, mapping: 'key-hash' });
  const firstDir = await stateDir('since-keyed-first');
  await copyPlan(first, { source, destination, stateDir: firstDir });
  const report = await verifyPlan(first, { source, destination, stateDir: firstDir });
  assert.equal(report.passed, true);
  assert.ok(
    report.partitions.every((v) => v.readTo !== undefined && v.plannedTimestamps !== null),
    JSON.stringify(report.partitions.map((v) => [v.readTo, v.plannedTimestamps])),
  );
  const second = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, mapping: 'key-hash' });
  await copyPlan(second, { source, destination, stateDir: await stateDir('since-keyed-second'), acceptOverlap: true });
  await assert.rejects(purge(first, firstDir), refusal(/records stamped within the planned span reached .* after verify .*run kreroute verify again$/));
  assert.deepEqual(await sourceLogStarts(topic, [0, 1]), [0n, 0n]);
});
