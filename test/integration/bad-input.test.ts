import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyPlan, KrerouteError, readPlanFile, writePlanFile, type Plan } from '../../src/index.ts';
import { checkpointPath } from '../../src/checkpoint/copy-checkpoint.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

const fails = (code: string, pattern?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof KrerouteError, `a KrerouteError, got ${error}`);
  assert.equal(error.code, code, error.message);
  if (pattern) assert.match(error.oneLine(), pattern);
  assert.ok(!error.oneLine().includes('\n'), 'one line');
  return true;
};

const everything = { from: { kind: 'earliest' }, to: { kind: 'latest' } } as const;

async function seededTopic(prefix: string, count = 5, partitions = 1): Promise<string> {
  const { sourceBootstrap } = sides();
  const topic = uniqueName(prefix);
  await createTopic(sourceBootstrap, topic, partitions);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: count }, (_, i) => record(`k${i}`, `v${i}`))]]));
  return topic;
}

async function topicExists(bootstrap: string, topic: string): Promise<boolean> {
  const c = cluster(bootstrap);
  try {
    return (await c.listTopics()).includes(topic);
  } finally {
    await c.close();
  }
}

test('an unreachable broker fails within a bounded time with one line', async () => {
  const started = Date.now();
  await assert.rejects(
    plan({ ...everything, topics: ['x'], source: { bootstrap: ['127.0.0.1:1'], connectTimeoutMs: 2000 } } as never),
    fails('UNREACHABLE', /127\.0\.0\.1:1/),
  );
  assert.ok(Date.now() - started < 30_000, `gave up after ${Date.now() - started} ms`);
});

test('an unknown source topic is named', async () => {
  await assert.rejects(plan({ ...everything, topics: ['no-such-topic-here'] }), fails('UNKNOWN_TOPIC', /no-such-topic-here/));
});

test('an empty range is refused and nothing is created', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('empty');
  await createTopic(sourceBootstrap, topic, 2);
  await assert.rejects(plan({ ...everything, topics: [topic], createTopics: true }), fails('EMPTY_RANGE'));
  assert.equal(await topicExists(destinationBootstrap, topic), false);
});

test('a missing destination topic without --create-topics is refused', async () => {
  const topic = await seededTopic('no-dest');
  await assert.rejects(plan({ ...everything, topics: [topic] }), fails('DESTINATION_CHECK', /does not exist.*--create-topics/));
});

test('a record larger than the destination accepts is refused by plan --exact, before anything is written', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('too-large');
  await createTopic(sourceBootstrap, topic, 1, { 'max.message.bytes': String(2 * 1024 * 1024) });
  await createTopic(destinationBootstrap, topic, 1, { 'max.message.bytes': String(100_000) });
  await produce(sourceBootstrap, topic, new Map([[0, [record('big', Buffer.alloc(500_000))]]]));
  await assert.rejects(plan({ ...everything, topics: [topic], exact: true }), fails('RECORD_TOO_LARGE', /max\.message\.bytes/));
});

test('a plan edited by hand is refused', async () => {
  const topic = await seededTopic('edited');
  const p = await plan({ ...everything, topics: [topic], createTopics: true });
  const file = join(await stateDir('edited'), 'plan.json');
  await writePlanFile(file, p);
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/"end": "5"/, '"end": "4"'));
  await assert.rejects(readPlanFile(file), fails('PLAN_INVALID', /changed after it was made/));
  await writeFile(file, '{ not json');
  await assert.rejects(readPlanFile(file), fails('PLAN_INVALID'));
});

test('a plan for other clusters is refused before anything is read or written', async () => {
  const { source, destination } = sides();
  const topic = await seededTopic('mismatch');
  const p = await plan({ ...everything, topics: [topic], createTopics: true });
  const swapped = { ...p, source: p.destination, destination: p.source } satisfies Plan;
  await assert.rejects(copyPlan(swapped, { source, destination, stateDir: await stateDir('mismatch') }), fails('PLAN_MISMATCH'));
});

test('a corrupt checkpoint stops the copy; it never starts again from zero', async () => {
  const { source, destination } = sides();
  const topic = await seededTopic('corrupt');
  const p = await plan({ ...everything, topics: [topic], createTopics: true });
  const dir = await stateDir('corrupt');
  await writeFile(checkpointPath(dir), '{"format":"kreroute-checkpoint","version":1,"planHash":');
  await assert.rejects(copyPlan(p, { source, destination, stateDir: dir }), fails('CHECKPOINT_CORRUPT', /never restarts from zero/));
});

test('newer records already on the destination are reported by plan, and copy refuses without --accept-overlap', async () => {
  const { source, destination, destinationBootstrap } = sides();
  const topic = await seededTopic('overlap');
  await createTopic(destinationBootstrap, topic, 1, { 'cleanup.policy': 'compact' });
  await produce(
    destinationBootstrap,
    topic,
    new Map([[0, [record('k1', 'newer value from the fixed producer', { timestamp: BigInt(Date.now()) + 60_000n })]]]),
  );
  const p = await plan({ ...everything, topics: [topic] });
  const overlap = p.checks.find((c) => c.code === 'OVERLAP');
  assert.ok(overlap, 'plan reports the overlap');
  assert.match(overlap.message, /compacted/);
  const dir = await stateDir('overlap');
  await assert.rejects(copyPlan(p, { source, destination, stateDir: dir }), fails('OVERLAP', /--accept-overlap/));
  const copied = await copyPlan(p, { source, destination, stateDir: dir, acceptOverlap: true });
  assert.equal(copied.records, 5);
});

test('a destination that shrank max.message.bytes after the plan stops the copy with one clear line', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('shrunk');
  await createTopic(sourceBootstrap, topic, 1, { 'max.message.bytes': String(2 * 1024 * 1024) });
  await createTopic(destinationBootstrap, topic, 1, { 'max.message.bytes': String(2 * 1024 * 1024) });
  await produce(sourceBootstrap, topic, new Map([[0, [record('big', Buffer.alloc(500_000)), record('small', 'x')]]]), 1);
  const p = await plan({ ...everything, topics: [topic], exact: true });
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'kreroute-test', bootstrapBrokers: [destinationBootstrap] });
  try {
    await admin.incrementalAlterConfigs({
      resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'max.message.bytes', configOperation: 0, value: '100000' }] }],
    });
  } finally {
    await admin.close();
  }
  const started = Date.now();
  await assert.rejects(copyPlan(p, { source, destination, stateDir: await stateDir('shrunk') }), fails('RECORD_TOO_LARGE', /max\.message\.bytes/));
  assert.ok(Date.now() - started < 60_000, 'fails without waiting out the retry deadline');
});
