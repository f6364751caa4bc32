// Issue 19, item 2: purge deletes only the topic that was copied. A topic name is not an identity:
// a topic deleted and recreated under the same name starts again at offset 0 with new records.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { KrerouteError, copyPlan, purgePlan, verifyPlan, writePlanFile } from '../../src/index.ts';
import { fetchPartition } from '../../src/kafka/fetch.ts';
import type { FetchedRecord } from '../../src/kafka/record.ts';
import { uniqueName } from '../harness/clusters.ts';
import { runKreroute } from '../harness/cli-run.ts';
import { copyAndVerify, plan, sides, stateDir } from '../harness/engine.ts';
import { cluster, createTopic, produce, record } from '../harness/fixtures.ts';
import { recreateTopic } from '../harness/recreate-topic.ts';

const WHOLE = { from: { kind: 'earliest' as const }, to: { kind: 'latest' as const } };

function records(prefix: string, partitions: number, perPartition: number) {
  return new Map(Array.from({ length: partitions }, (_, p) => [p, Array.from({ length: perPartition }, (_, i) => record(`${prefix}-${p}-${i}`, `${prefix}-value-${p}-${i}`))]));
}

async function offsets(bootstrap: string, topic: string, partitions: number, kind: 'earliest' | 'latest'): Promise<bigint[]> {
  const c = cluster(bootstrap);
  try {
    return (await c.listOffsets(topic, [...Array(partitions).keys()], { kind })).map((l) => l.offset);
  } finally {
    await c.close();
  }
}

async function readAll(bootstrap: string, topic: string, partition: number): Promise<FetchedRecord[]> {
  const c = cluster(bootstrap);
  try {
    const [end] = await c.listOffsets(topic, [partition], { kind: 'latest' });
    const all: FetchedRecord[] = [];
    for (let at = 0n; at < end!.offset; ) {
      const fetched = await fetchPartition(c, topic, partition, at, { maxBytes: 1024 * 1024, maxWaitMs: 100, readCommitted: true });
      all.push(...fetched.records.filter((r) => r.offset < end!.offset));
      if (fetched.nextOffset <= at) throw new Error(`no progress reading ${topic}[${partition}] at ${at}`);
      at = fetched.nextOffset;
    }
    return all;
  } finally {
    await c.close();
  }
}

const recreated = (step: string) => (error: unknown) => {
  assert.ok(error instanceof KrerouteError, `${step}: ${error}`);
  assert.equal(error.code, 'TOPIC_RECREATED', `${step}: ${error.code}: ${error.message}`);
  return true;
};

test('purge of a plan whose source topic was deleted and recreated (6,000 new records) refuses with one line, and the new topic keeps all 6,000', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('identity-purge');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, records('old', 2, 2_000));
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  const dir = await stateDir('identity-purge');
  assert.equal((await copyAndVerify(p, dir)).report.passed, true);

  await recreateTopic(sourceBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, records('new', 2, 3_000));
  const planFile = join(dir, 'plan.json');
  await writePlanFile(planFile, p);
  const run = await runKreroute(['purge', planFile, '--state-dir', dir, '--source', sourceBootstrap, '--destination', destinationBootstrap], 60_000);

  const lines = run.stderr.trim().split('\n');
  assert.equal(run.code, 5, `exit ${run.code}; stdout: ${run.stdout}; stderr: ${run.stderr}`);
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, new RegExp(`^kreroute: TOPIC_RECREATED: source topic ${topic} is not the topic the plan was made for .* — `));
  assert.deepEqual(await offsets(sourceBootstrap, topic, 2, 'earliest'), [0n, 0n], 'nothing of the new topic was deleted');
  assert.deepEqual(await offsets(sourceBootstrap, topic, 2, 'latest'), [3_000n, 3_000n]);
});

test('destination topic recreated between verify and purge, holding the same records at the same offsets: purge refuses, the source keeps everything', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('identity-dest');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, records('t', 1, 50));
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  const dir = await stateDir('identity-dest');
  await copyPlan(p, { source, destination, stateDir: dir, mode: 'at-least-once' });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir })).passed, true);

  // The same content at the same offsets: only the topic id tells the new topic from the copy.
  const copied = await readAll(destinationBootstrap, topic, 0);
  assert.equal(copied.length, 50);
  assert.equal(copied[0]!.offset, 0n);
  await recreateTopic(destinationBootstrap, topic, 1);
  await produce(destinationBootstrap, topic, new Map([[0, copied.map(({ timestamp, key, value, headers }) => ({ timestamp, key, value, headers }))]]));

  await assert.rejects(purgePlan(p, { source, destination, stateDir: dir }), recreated('purge'));
  assert.deepEqual(await offsets(sourceBootstrap, topic, 1, 'earliest'), [0n]);
});

test('source topic recreated between plan and copy: copy refuses and writes nothing', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('identity-copy');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, records('old', 1, 100));
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  await recreateTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, records('new', 1, 150));

  await assert.rejects(copyPlan(p, { source, destination, stateDir: await stateDir('identity-copy') }), recreated('copy'));
  assert.deepEqual(await offsets(destinationBootstrap, topic, 1, 'latest'), [0n], 'nothing was written to the destination');
});

test('source topic recreated between copy and verify: verify refuses', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('identity-verify');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, records('old', 1, 100));
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  const dir = await stateDir('identity-verify');
  await copyPlan(p, { source, destination, stateDir: dir });
  await recreateTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, records('new', 1, 150));

  await assert.rejects(verifyPlan(p, { source, destination, stateDir: dir }), recreated('verify'));
});
