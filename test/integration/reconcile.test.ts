import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KrerouteError } from '../../src/index.ts';
import { partitionKey } from '../../src/checkpoint/copy-checkpoint.ts';
import { freshCheckpoint } from '../../src/copy/fresh-checkpoint.ts';
import { reconcile } from '../../src/copy/reconcile.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';
import { destinationPartitionOf } from '../../src/plan/partition-mapping.ts';
import { compileFilter } from '../../src/plan/filter/record-filter.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

// The state an interrupted at-least-once run leaves: its last checkpoint, and records it wrote
// after that checkpoint ("orphans", with a producer id the checkpoint names). reconcile must find
// each in the source and mark it written, however far into the source it lies.

const T0 = 1_790_000_000_000n;

async function withClusters<T>(run: (source: ReturnType<typeof cluster>, destination: ReturnType<typeof cluster>) => Promise<T>): Promise<T> {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const source = cluster(sourceBootstrap);
  const destination = cluster(destinationBootstrap);
  try {
    return await run(source, destination);
  } finally {
    await Promise.all([source.close(), destination.close()]);
  }
}

test('orphans past 20 MiB of other tenants\' records are found: the position moves past them (mapping "same", filtered)', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('reconcile-far');
  await createTopic(sourceBootstrap, topic, 1);
  const others = Array.from({ length: 20_000 }, (_, i) => record(`b:${i}`, 'x'.repeat(1024), { timestamp: T0 + BigInt(i) }));
  const tenant = Array.from({ length: 100 }, (_, i) => record(`a:${i}`, `tenant-${i}`, { timestamp: T0 + 50_000n + BigInt(i) }));
  const interleaved: RecordContent[] = [...others, ...tenant.flatMap((r, i) => [r, record(`b:late-${i}`, 'y', { timestamp: T0 + 60_000n + BigInt(i) })])];
  await produce(sourceBootstrap, topic, new Map([[0, interleaved]]));
  const p = await plan({
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    filter: { kind: 'key-prefix', prefix: 'a:' },
    createTopics: true,
  });
  await withClusters(async (source, destination) => {
    const checkpoint = await freshCheckpoint(p, destination, 'at-least-once');
    const orphanProducer = await produce(destinationBootstrap, topic, new Map([[0, tenant.slice(0, 30)]]));
    const found = await reconcile({
      plan: p,
      source,
      destination,
      checkpoint,
      filter: compileFilter(p.filter),
      previousProducerIds: new Set([orphanProducer]),
    });
    assert.equal(found, 30);
    const state = checkpoint.sources[partitionKey(topic, 0)]!;
    // tenant record 29 sits at offset 20,000 + 2·29.
    assert.equal(state.next, String(20_000 + 2 * 29 + 1));
    assert.equal(state.copied, 30);
    assert.equal(state.skipped, 20_000 + 29, "the other tenants' records before the last orphan count as skipped");
    assert.deepEqual(state.alreadyWritten, []);
    assert.equal(checkpoint.destinations[partitionKey(topic, 0)]!.end, '30');
  });
});

test('orphans spread by key over destination partitions are marked written, each partition\'s own prefix (mapping "key-hash")', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('reconcile-keyed');
  await createTopic(sourceBootstrap, topic, 1);
  await createTopic(destinationBootstrap, topic, 4);
  const records = Array.from({ length: 400 }, (_, i) => record(`k${i}`, `v${i}`, { timestamp: T0 + BigInt(i) }));
  await produce(sourceBootstrap, topic, new Map([[0, records]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, mapping: 'key-hash' });
  const byPartition = new Map<number, Array<{ offset: number; content: RecordContent }>>();
  for (const [offset, content] of records.entries()) {
    const d = destinationPartitionOf('key-hash', content.key, 0, 4);
    byPartition.set(d, [...(byPartition.get(d) ?? []), { offset, content }]);
  }
  const written = [7, 0, 19, 2];
  const orphans = new Map([...byPartition].map(([d, list]) => [d, list.slice(0, written[d]).map((x) => x.content)]));
  await withClusters(async (source, destination) => {
    const checkpoint = await freshCheckpoint(p, destination, 'at-least-once');
    const orphanProducer = await produce(destinationBootstrap, topic, orphans);
    const found = await reconcile({ plan: p, source, destination, checkpoint, filter: compileFilter(null), previousProducerIds: new Set([orphanProducer]) });
    assert.equal(found, 28);
    const expected = [...byPartition].flatMap(([d, list]) => list.slice(0, written[d]).map((x) => String(x.offset)));
    const state = checkpoint.sources[partitionKey(topic, 0)]!;
    assert.deepEqual([...state.alreadyWritten].sort(), expected.sort());
    assert.equal(state.next, '0', "the position stays: the partitions' prefixes differ");
    for (const [d, n] of written.entries()) if (n > 0) assert.equal(checkpoint.destinations[partitionKey(topic, d)]!.end, String(n));
  });
});

test('an orphan that matches nothing left to copy stops the resume (RESUME_CONFLICT)', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('reconcile-conflict');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 50 }, (_, i) => record(`k${i}`, `v${i}`, { timestamp: T0 + BigInt(i) }))]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  await withClusters(async (source, destination) => {
    const checkpoint = await freshCheckpoint(p, destination, 'at-least-once');
    const orphanProducer = await produce(
      destinationBootstrap,
      topic,
      new Map([[0, [record('k0', 'v0', { timestamp: T0 }), record('k1', 'changed', { timestamp: T0 + 1n })]]]),
    );
    await assert.rejects(
      reconcile({ plan: p, source, destination, checkpoint, filter: compileFilter(null), previousProducerIds: new Set([orphanProducer]) }),
      (e: unknown) => e instanceof KrerouteError && e.code === 'RESUME_CONFLICT' && /1 record\(s\)/.test(e.message),
    );
  });
});

test('into a destination that stamps the append time, orphans are recognised by all but their timestamp', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('reconcile-append-time');
  await createTopic(sourceBootstrap, topic, 1);
  await createTopic(destinationBootstrap, topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
  const records = Array.from({ length: 60 }, (_, i) => record(`k${i}`, `v${i}`, { timestamp: T0 + BigInt(i) }));
  await produce(sourceBootstrap, topic, new Map([[0, records]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, acceptLogAppendTime: true });
  await withClusters(async (source, destination) => {
    const checkpoint = await freshCheckpoint(p, destination, 'at-least-once');
    const orphanProducer = await produce(destinationBootstrap, topic, new Map([[0, records.slice(0, 25)]]));
    const found = await reconcile({ plan: p, source, destination, checkpoint, filter: compileFilter(null), previousProducerIds: new Set([orphanProducer]) });
    assert.equal(found, 25);
    assert.equal(checkpoint.sources[partitionKey(topic, 0)]!.next, '25');
  });
});

test("the interrupted run's writes that its leader has but readers cannot see yet are waited for, not taken as never written", async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('reconcile-in-flight');
  await createTopic(sourceBootstrap, topic, 1);
  const records = Array.from({ length: 40 }, (_, i) => record(`k${i}`, `v${i}`, { timestamp: T0 + BigInt(i) }));
  await produce(sourceBootstrap, topic, new Map([[0, records]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  await withClusters(async (source, destination) => {
    const checkpoint = await freshCheckpoint(p, destination, 'at-least-once');
    const run = await produce(destinationBootstrap, topic, new Map([[0, records.slice(0, 12)]]));
    checkpoint.producerIds.push(String(run));
    const input = { plan: p, source, destination, checkpoint, filter: compileFilter(null), previousProducerIds: new Set([run]), inFlightWaitMs: 1_500 };
    // The leader's producer state counts 12 records of that run; all 12 are readable: no wait.
    const started = Date.now();
    assert.equal(await reconcile({ ...input, checkpoint: structuredClone(checkpoint) }), 12);
    assert.ok(Date.now() - started < 1_000);
    // A checkpoint that says the run had written 0 of them before its end, where the log shows 12
    // appended and only 8 past the end: 4 are "not readable yet", and the resume must not go on.
    const ahead = structuredClone(checkpoint);
    ahead.destinations[partitionKey(topic, 0)]!.end = '4';
    ahead.destinations[partitionKey(topic, 0)]!.lastRun = { producerId: String(run), records: 0 };
    await assert.rejects(
      reconcile({ ...input, checkpoint: ahead }),
      (e: unknown) => e instanceof KrerouteError && e.code === 'COPY_FAILED' && /4 record\(s\) the interrupted run wrote/.test(e.message),
    );
  });
});
