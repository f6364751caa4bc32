// Issue 19, item 2: purge deletes only the topic that was copied. A topic name is not an identity:
// a topic deleted and recreated under the same name starts again at offset 0 with new records.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Producer } from '@platformatic/kafka';
import { KrerouteError, type Plan, copyPlan, purgePlan, readPlanFile, verifyPlan, writePlanFile } from '../../src/index.ts';
import { fetchPartition } from '../../src/kafka/fetch/fetch.ts';
import { recordDigest } from '../../src/kafka/wire/record-digest.ts';
import { sealPlan } from '../../src/plan/plan-file.ts';
import type { FetchedRecord } from '../../src/kafka/wire/record.ts';
import { uniqueName } from '../support/clusters.ts';
import { runKreroute } from '../support/cli-run.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { recreateTopic } from '../support/recreate-topic.ts';

const WHOLE = { from: { kind: 'earliest' as const }, to: { kind: 'latest' as const } };

function records(prefix: string, partitions: number, perPartition: number) {
  return new Map(
    Array.from({ length: partitions }, (_, p) => [
      p,
      Array.from({ length: perPartition }, (_, i) => record(`${prefix}-${p}-${i}`, `${prefix}-value-${p}-${i}`)),
    ]),
  );
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
  const run = await runKreroute(
    ['purge', planFile, '--execute', '--state-dir', dir, '--source', sourceBootstrap, '--destination', destinationBootstrap],
    60_000,
  );

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

async function topicId(bootstrap: string, topic: string): Promise<string> {
  const c = cluster(bootstrap);
  try {
    return (await c.topicLayouts([topic])).get(topic)!.id!;
  } finally {
    await c.close();
  }
}

/** The plan with its topics changed and sealed again, as a plan file of that content would be. */
function edited(p: Plan, change: (topic: Plan['topics'][number]) => void): Plan {
  const { hash: _hash, ...content } = structuredClone(p);
  for (const topic of content.topics) change(topic);
  return sealPlan(content);
}

async function transactionally(bootstrap: string, topic: string, keys: string[], commit: boolean): Promise<void> {
  const producer = new Producer({ clientId: 'kreroute-test-txn', bootstrapBrokers: [bootstrap], transactionalId: uniqueName('txn'), idempotent: true });
  try {
    const transaction = await producer.beginTransaction();
    await transaction.send({ messages: keys.map((k) => ({ topic, partition: 0, key: Buffer.from(k), value: Buffer.from(k) })) });
    await (commit ? transaction.commit() : transaction.abort());
  } finally {
    await producer.close();
  }
}

test('the plan records both topic ids and anchors each range by its first and last committed record, past control records and aborted data at its end', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('identity-anchors');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, records('plain', 1, 30));
  await transactionally(sourceBootstrap, topic, ['committed-1', 'committed-2'], true);
  await transactionally(sourceBootstrap, topic, ['aborted-1', 'aborted-2', 'aborted-3'], false);
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });

  const planned = p.topics[0]!;
  assert.equal(planned.sourceTopicId, await topicId(sourceBootstrap, topic));
  assert.equal(planned.destinationTopicId, await topicId(destinationBootstrap, topic), 'the id of the destination topic the plan created');
  assert.equal(planned.partitions[0]!.end, '37', '30 + 2 + marker + 3 + marker');
  const committed = await readAll(sourceBootstrap, topic, 0);
  const anchor = (r: FetchedRecord) => ({ offset: String(r.offset), digest: recordDigest(r).toString('hex') });
  assert.deepEqual(planned.partitions[0]!.anchors, { first: anchor(committed[0]!), last: anchor(committed.at(-1)!) });
  assert.equal(committed.at(-1)!.key!.toString(), 'committed-2');
  assert.equal(planned.partitions[1]!.anchors, null, 'an empty range has no anchors');
});

test('purge reads the anchors back: a topic of the same id holding another last record is refused, and nothing is deleted', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('identity-readback');
  await createTopic(sourceBootstrap, topic, 1);
  const original = records('r', 1, 50).get(0)!;
  await produce(sourceBootstrap, topic, new Map([[0, original]]));
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  // The same records but the last: only the last anchor tells them apart once the ids agree.
  await recreateTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, [...original.slice(0, 49), record('r-0-49', 'another value')]]]));
  const newId = await topicId(sourceBootstrap, topic);
  const sameId = edited(p, (t) => {
    t.sourceTopicId = newId;
  });
  const dir = await stateDir('identity-readback');
  assert.equal((await copyAndVerify(sameId, dir)).report.passed, true, 'the copy of the new topic verifies');

  const refusal = (error: unknown) => recreated('purge')(error) && /offset 49 is not the one planned/.test((error as Error).message);
  await assert.rejects(purgePlan(sameId, { source, destination, stateDir: dir, dryRun: true }), refusal);
  await assert.rejects(purgePlan(sameId, { source, destination, stateDir: dir }), refusal);
  assert.deepEqual(await offsets(sourceBootstrap, topic, 1, 'earliest'), [0n]);
});

test('a plan made before kreroute recorded topic ids and anchors still loads, copies and verifies; purge refuses it and deletes nothing', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('identity-old-plan');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, records('old', 1, 20));
  const made = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  const old = edited(made, (t) => {
    delete t.sourceTopicId;
    delete t.destinationTopicId;
    for (const partition of t.partitions) delete partition.anchors;
  });
  const dir = await stateDir('identity-old-plan');
  const planFile = join(dir, 'old.plan.json');
  await writePlanFile(planFile, old);
  const loaded = await readPlanFile(planFile);
  assert.equal((await copyAndVerify(loaded, dir)).report.passed, true);

  await assert.rejects(
    purgePlan(loaded, { source, destination, stateDir: dir }),
    (error: unknown) => error instanceof KrerouteError && error.code === 'PURGE_UNSAFE' && /records no topic id/.test(error.message),
  );
  assert.deepEqual(await offsets(sourceBootstrap, topic, 1, 'earliest'), [0n]);
});

test('a compacted source whose cleaner removed the first planned record after verify is still purged: a gap in the topic of the same id is not another topic', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('identity-compacted');
  await createTopic(sourceBootstrap, topic, 1, {
    'cleanup.policy': 'compact,delete',
    'segment.ms': '100',
    'min.cleanable.dirty.ratio': '0.01',
    'min.compaction.lag.ms': '0',
    'delete.retention.ms': '100',
  });
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 10 }, (_, i) => record(`key-${i}`, `first ${i}`))]]));
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  assert.equal(p.topics[0]!.partitions[0]!.anchors?.first.offset, '0');
  const dir = await stateDir('identity-compacted');
  assert.equal((await copyAndVerify(p, dir)).report.passed, true);

  // key-0 comes again: the cleaner removes offset 0, the first anchor. Each write rolls a segment.
  await produce(sourceBootstrap, topic, new Map([[0, [record('key-0', 'second')]]]));
  let gone = false;
  for (let attempt = 0; attempt < 60 && !gone; attempt++) {
    await new Promise((r) => setTimeout(r, 1000));
    await produce(sourceBootstrap, topic, new Map([[0, [record(`roll-${attempt}`, 'x')]]]));
    gone = (await readAll(sourceBootstrap, topic, 0))[0]!.offset > 0n;
  }
  assert.ok(gone, 'the cleaner removed offset 0 within 60 s');

  const done = await purgePlan(p, { source, destination, stateDir: dir });
  assert.deepEqual(
    done.partitions.map((x) => x.logStartAfter),
    ['10'],
  );
});
