// Purge acts on the newest verdict. Machines' clocks disagree, so "newest" is the order the
// destination's checkpoint topic gave the verdicts, never their verifiedAt: a failing verify made
// later on a machine whose clock is behind must beat an older passing one stamped in the future.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { KrerouteError, copyPlan, purgePlan, verifyPlan, type Plan, type VerifyReport } from '../../src/index.ts';
import { publishVerdict } from '../../src/verify/verdict-publish.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

const DAY = 24 * 3600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

async function logStart(bootstrap: string, topic: string): Promise<bigint> {
  const c = cluster(bootstrap);
  try {
    return (await c.listOffsets(topic, [0], { kind: 'earliest' }))[0]!.offset;
  } finally {
    await c.close();
  }
}

/** What a verify on another machine publishes: its verdict under `key`, stamped by that machine's clock. */
async function publishAs(key: string, report: VerifyReport, checkpointTopic: string, change: (r: VerifyReport) => void): Promise<void> {
  const copy = structuredClone(report);
  change(copy);
  const d = cluster(sides().destinationBootstrap);
  try {
    await publishVerdict(d, checkpointTopic, key, copy);
  } finally {
    await d.close();
  }
}

const failing = (behindMs: number) => (r: VerifyReport) => {
  r.passed = false;
  r.partitions[0]!.passed = false;
  r.verifiedAt = at(-behindMs);
};

async function copied(name: string, partitions: number): Promise<{ p: Plan; topic: string; checkpointTopic: string; dir: string }> {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName(name);
  const checkpointTopic = uniqueName(`${name}-cp`);
  await createTopic(sourceBootstrap, topic, partitions);
  await produce(
    sourceBootstrap,
    topic,
    new Map([...Array(partitions).keys()].map((p) => [p, Array.from({ length: 20 }, (_, i) => record(`k${p}-${i}`, `v${i}`))])),
  );
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir(name);
  await copyPlan(p, { source, destination, stateDir: dir, checkpointTopic });
  return { p, topic, checkpointTopic, dir };
}

const refusedAsFailed = (e: unknown) => e instanceof KrerouteError && e.code === 'NOT_VERIFIED' && /last verification of this plan failed/.test(e.message);

test('a local passing verdict stamped in the future does not beat a later failing verdict on the destination', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const { p, topic, checkpointTopic, dir } = await copied('verdict-local', 1);
  const report = await verifyPlan(p, { source, destination, stateDir: dir, checkpointTopic });
  assert.equal(report.passed, true);
  // This machine's clock is a day ahead.
  const file = join(dir, 'verification.json');
  await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), verifiedAt: at(DAY) }));
  // Later, a verify on a machine whose clock is an hour behind fails.
  await publishAs(`${p.hash}@verify`, report, checkpointTopic, failing(3600_000));

  await assert.rejects(
    purgePlan(p, { source, destination, stateDir: dir, checkpointTopic }),
    (e: unknown) =>
      e instanceof KrerouteError &&
      e.code === 'NOT_VERIFIED' &&
      /verdict @verify on the destination failed and the one in \S+ passed/.test(e.message.replace(p.hash, '')),
  );
  assert.equal(await logStart(sourceBootstrap, topic), 0n, 'nothing was deleted from the source');

  // A verify run again here is the newest everywhere: purge goes ahead.
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir, checkpointTopic })).passed, true);
  const done = await purgePlan(p, { source, destination, stateDir: dir, checkpointTopic });
  assert.deepEqual(
    done.partitions.map((x) => x.logStartAfter),
    ['20'],
  );
});

test('a complete set of passing verify shards stamped in the future does not beat a later failing verify of the whole plan', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const { p, topic, checkpointTopic, dir } = await copied('verdict-shards', 2);
  for (const index of [0, 1]) {
    const shard = { index, count: 2 };
    const report = await verifyPlan(p, { source, destination, stateDir: dir, checkpointTopic, shard });
    assert.equal(report.passed, true);
    // Published again by a machine whose clock is a day ahead.
    await publishAs(`${p.hash}@verify#${index}/2`, report, checkpointTopic, (r) => {
      r.verifiedAt = at(DAY);
    });
  }
  const whole = await verifyPlan(p, { source, destination, stateDir: await stateDir('verdict-other'), checkpointTopic });
  assert.equal(whole.passed, true);
  await publishAs(`${p.hash}@verify`, whole, checkpointTopic, failing(3600_000));

  // Purge from a third machine: only the destination's verdicts.
  await assert.rejects(purgePlan(p, { source, destination, stateDir: await stateDir('verdict-purger'), checkpointTopic }), refusedAsFailed);
  assert.equal(await logStart(sourceBootstrap, topic), 0n, 'nothing was deleted from the source');

  // A passing verify made after it (whatever its clock says) lets purge go ahead.
  const again = await verifyPlan(p, { source, destination, stateDir: await stateDir('verdict-other'), checkpointTopic });
  await publishAs(`${p.hash}@verify`, again, checkpointTopic, (r) => {
    r.verifiedAt = at(-2 * DAY);
  });
  const done = await purgePlan(p, { source, destination, stateDir: await stateDir('verdict-purger'), checkpointTopic });
  assert.deepEqual(
    done.partitions.map((x) => x.logStartAfter),
    ['20', '20'],
  );
});

test("a verdict kept both here and on the destination takes its place in the destination's order: later failing verify shards win", async () => {
  const { source, destination, sourceBootstrap } = sides();
  const { p, topic, checkpointTopic, dir } = await copied('verdict-same', 2);
  // Verified here (kept here and on the destination) with a clock a day ahead.
  const whole = await verifyPlan(p, { source, destination, stateDir: dir, checkpointTopic });
  assert.equal(whole.passed, true);
  const file = join(dir, 'verification.json');
  const stamped = { ...JSON.parse(await readFile(file, 'utf8')), verifiedAt: at(DAY) };
  await writeFile(file, JSON.stringify(stamped));
  await publishAs(`${p.hash}@verify`, whole, checkpointTopic, (r) => {
    r.verifiedAt = stamped.verifiedAt;
  });
  // Then both verify shards fail on another machine.
  for (const index of [0, 1]) {
    const report = await verifyPlan(p, { source, destination, stateDir: await stateDir('verdict-same-other'), checkpointTopic, shard: { index, count: 2 } });
    await publishAs(`${p.hash}@verify#${index}/2`, report, checkpointTopic, failing(0));
  }
  await assert.rejects(purgePlan(p, { source, destination, stateDir: dir, checkpointTopic }), refusedAsFailed);
  assert.equal(await logStart(sourceBootstrap, topic), 0n, 'nothing was deleted from the source');
});
