// --schemas translate against two real schema registries (Apicurio, Confluent-compatible API): the
// plan registers the source schemas on the destination and maps the ids, the copy rewrites them,
// verify compares with the map applied, and consumers on the destination decode the original values.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import avro from 'avsc';
import { copyPlan, translateOffsets, verifyPlan } from '../../src/index.ts';
import { freshCheckpoint } from '../../src/copy/fresh-checkpoint.ts';
import { reconcile } from '../../src/copy/reconcile.ts';
import type { FetchedRecord } from '../../src/kafka/wire/record.ts';
import { compileFilter } from '../../src/plan/filter/record-filter.ts';
import { destinationPartitionOf } from '../../src/plan/partition-mapping.ts';
import { readRange } from '../../src/kafka/fetch/range-reader.ts';
import { sealPlan } from '../../src/plan/plan-file.ts';
import type { Plan } from '../../src/plan/plan.ts';
import { SchemaRegistryClient } from '../../src/schemas/registry-client.ts';
import { translateRecord } from '../../src/schemas/record-translation.ts';
import { schemaIdOf } from '../../src/schemas/wire-format.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { runKreroute } from '../support/cli-run.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { checkedJsonLines } from '../support/json-output.ts';
import { startSchemaRegistries } from '../support/schema-registries.ts';
import { avroSchema, framed } from '../support/avro-records.ts';

let registries: Awaited<ReturnType<typeof startSchemaRegistries>>;
let source: SchemaRegistryClient;
let destination: SchemaRegistryClient;

before(async () => {
  registries = await startSchemaRegistries();
  source = new SchemaRegistryClient({ url: registries.source.url });
  destination = new SchemaRegistryClient({ url: registries.destination.url });
});
after(async () => registries?.stop());

const registriesOf = (translate: boolean) => ({
  source: { url: registries.source.url },
  destination: { url: registries.destination.url },
  ...(translate ? { translate } : {}),
});
const wholeTopic = { from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true } as const;

/**
 * A source topic with framed keys and values (three schemas) and an unframed record, where the
 * destination registry already gives the source's ids to other schemas of its own.
 */
async function conflictingTopic(destinationPartitions?: number): Promise<{ topic: string; values: Array<{ key: unknown; value: unknown }>; ids: number[] }> {
  const subject = uniqueName('translate');
  const unique = subject.replace(/[^a-zA-Z0-9]/g, '_');
  const key = avroSchema(`Key_${unique}`, 'tenant');
  const order = avroSchema(`Order_${unique}`, 'orderId');
  const shipment = avroSchema(`Shipment_${unique}`, 'shipmentId');
  const keyId = await source.register(`${subject}-key`, key);
  const orderId = await source.register(`${subject}-value`, order);
  const shipmentId = await source.register(`${subject}-value`, shipment);
  const highest = Math.max(keyId, orderId, shipmentId);
  let taken = 0;
  for (let i = 0; taken < highest && i < 100; i++)
    taken = await destination.register(`${uniqueName('filler')}-value`, avroSchema(`Filler_${unique}_${i}`, 'x'));
  for (const id of [keyId, orderId, shipmentId])
    assert.ok((await destination.schemaById(id)) !== undefined, `the destination registry gives id ${id} to a schema of its own`);
  const topic = uniqueName('schema-translate');
  await createTopic(getTestClusters().source, topic, 1);
  if (destinationPartitions !== undefined) await createTopic(getTestClusters().destination, topic, destinationPartitions);
  const records = [
    record(framed(keyId, key, { tenant: 'a' }), framed(orderId, order, { orderId: 'o-1' })),
    record('plain-key', framed(shipmentId, shipment, { shipmentId: 's-1' })),
    record('plain', 'not framed'),
    record(framed(keyId, key, { tenant: 'b' }), framed(orderId, order, { orderId: 'o-2' })),
  ];
  await produce(getTestClusters().source, topic, new Map([[0, records]]));
  const values = [
    { key: { tenant: 'a' }, value: { orderId: 'o-1' } },
    { key: 'plain-key', value: { shipmentId: 's-1' } },
    { key: 'plain', value: 'not framed' },
    { key: { tenant: 'b' }, value: { orderId: 'o-2' } },
  ];
  return { topic, values, ids: [keyId, orderId, shipmentId] };
}

/** A key or value as a consumer on the destination reads it: decoded with the destination registry's schema for its id. */
async function decoded(bytes: Buffer | null): Promise<unknown> {
  const id = schemaIdOf(bytes);
  if (id === undefined) return bytes?.toString();
  const schema = await destination.schemaById(id);
  assert.ok(schema, `the destination registry has id ${id}`);
  return { ...avro.Type.forSchema(JSON.parse(schema.schema)).fromBuffer(bytes!.subarray(5)) };
}

test('without --schemas translate, ids that name other schemas on the destination are refused', async () => {
  const { topic } = await conflictingTopic();
  await assert.rejects(plan({ topics: [topic], ...wholeTopic, schemaRegistries: registriesOf(false) }), /another schema on the destination's registry/);
});

test('--schemas translate: the plan maps the ids, the copy rewrites them, verify passes, destination consumers decode the original values', async () => {
  const { topic, values, ids } = await conflictingTopic();
  const p = await plan({ topics: [topic], ...wholeTopic, schemaRegistries: registriesOf(true) });
  const idMap = p.topics[0]!.schemaIdMap;
  assert.ok(idMap, 'the plan records the id map');
  assert.deepEqual(
    Object.keys(idMap)
      .map(Number)
      .sort((a, b) => a - b),
    [...ids].sort((a, b) => a - b),
  );
  for (const id of ids) assert.notEqual(idMap[String(id)], id, `id ${id} gets the destination's own id`);
  assert.ok(p.checks.some((c) => c.code === 'SCHEMA_IDS_TRANSLATED' && c.level === 'info'));
  assert.ok(!p.checks.some((c) => c.code === 'SCHEMA_ID_CONFLICT'));

  const dir = await stateDir('translate');
  const { source: from, destination: to } = sides();
  await copyPlan(p, { source: from, destination: to, stateDir: dir });
  const report = await verifyPlan(p, { source: from, destination: to, stateDir: dir });
  assert.equal(report.passed, true, JSON.stringify(report.partitions, null, 1).slice(0, 2000));
  assert.equal(report.partitions[0]!.sourceCount, 4);

  const c = cluster(getTestClusters().destination);
  const read: Array<{ key: unknown; value: unknown }> = [];
  try {
    for await (const chunk of readRange(c, topic, 0, 0n, 4n)) {
      for (const r of chunk.records) {
        for (const bytes of [r.key, r.value]) {
          const id = schemaIdOf(bytes);
          if (id !== undefined) assert.ok(Object.values(idMap).includes(id), `destination id ${id} comes from the map`);
        }
        read.push({ key: await decoded(r.key), value: await decoded(r.value) });
      }
    }
  } finally {
    await c.close();
  }
  assert.deepEqual(read, values);
});

/** Copies the plan with a faulty id map, then verifies the right plan against that copy (its checkpoint given to the right plan). */
async function verifyFaultyCopy(p: Plan, faultyMap: Record<string, number> | undefined) {
  const { hash: _hash, ...content } = p;
  const { schemaIdMap: _map, ...topic } = p.topics[0]!;
  const faulty: Plan = sealPlan({ ...content, topics: [{ ...topic, ...(faultyMap ? { schemaIdMap: faultyMap } : {}) }] });
  const dir = await stateDir('translate-faulty');
  const { source: from, destination: to } = sides();
  await copyPlan(faulty, { source: from, destination: to, stateDir: dir });
  const checkpointFile = join(dir, 'checkpoint.json');
  await writeFile(checkpointFile, (await readFile(checkpointFile, 'utf8')).replaceAll(faulty.hash, p.hash));
  return verifyPlan(p, { source: from, destination: to, stateDir: dir });
}

test('--schemas translate: destination records with wrong ids fail verify (two ids swapped; ids not translated at all)', async () => {
  for (const fault of ['swapped', 'untranslated'] as const) {
    const { topic, ids } = await conflictingTopic();
    const p = await plan({ topics: [topic], ...wholeTopic, schemaRegistries: registriesOf(true) });
    const idMap = p.topics[0]!.schemaIdMap!;
    const [, orderId, shipmentId] = ids.map(String) as [string, string, string];
    const report = await verifyFaultyCopy(p, fault === 'swapped' ? { ...idMap, [orderId]: idMap[shipmentId]!, [shipmentId]: idMap[orderId]! } : undefined);
    assert.equal(report.passed, false, `${fault}: the wrong ids are found`);
    assert.equal(report.partitions[0]!.sourceCount, report.partitions[0]!.destinationCount, `${fault}: the counts agree, only the ids differ`);
  }
});

test('--schemas translate: a second plan over the same range (copy --accept-overlap) fails both verifies naming every record twice, by partition and by key hash', async () => {
  for (const mapping of ['same', 'key-hash'] as const) {
    const { topic } = await conflictingTopic(mapping === 'key-hash' ? 3 : undefined);
    const options = { topics: [topic], ...wholeTopic, ...(mapping === 'key-hash' ? { mapping } : {}), schemaRegistries: registriesOf(true) };
    const first = await plan(options);
    const firstDir = await stateDir('translate-dupes-first');
    const { source: from, destination: to } = sides();
    await copyPlan(first, { source: from, destination: to, stateDir: firstDir });
    assert.equal((await verifyPlan(first, { source: from, destination: to, stateDir: firstDir })).passed, true, `${mapping}: the first copy alone passes`);

    const second = await plan({ ...options, createTopics: false });
    assert.deepEqual(second.topics[0]!.schemaIdMap, first.topics[0]!.schemaIdMap, `${mapping}: the ids registered by the first plan are found again`);
    const secondDir = await stateDir('translate-dupes-second');
    await copyPlan(second, { source: from, destination: to, stateDir: secondDir, acceptOverlap: true });
    for (const [name, p, dir] of [
      ['second', second, secondDir],
      ['first', first, firstDir],
    ] as const) {
      const report = await verifyPlan(p, { source: from, destination: to, stateDir: dir });
      assert.equal(report.passed, false, `${mapping}, ${name} plan: every translated record is on the destination twice`);
      const twice = report.partitions.reduce((n, v) => n + (v.duplicates?.records ?? 0), 0);
      assert.equal(twice, 4, `${mapping}, ${name} plan: ${JSON.stringify(report.partitions.map((v) => v.duplicates))}`);
    }
  }
});

test('kreroute plan --schemas translate --json: the id map in the plan fits the documented output; a bad mode is refused', async () => {
  const { topic, ids } = await conflictingTopic();
  const dir = await stateDir('translate-cli');
  const { sourceBootstrap, destinationBootstrap } = sides();
  const args = ['plan', '--source', sourceBootstrap, '--destination', destinationBootstrap, '--topic', topic, '--create-topics', '--json'];
  const registryFlags = ['--source-schema-registry', registries.source.url, '--dest-schema-registry', registries.destination.url];
  const run = await runKreroute([...args, ...registryFlags, '--schemas', 'translate', '--out', join(dir, 'plan.json')]);
  assert.equal(run.code, 0, (run.stdout + run.stderr).slice(0, 2000));
  const lines = checkedJsonLines(run.stdout) as Array<{ type: string; plan?: { topics: Array<{ schemaIdMap?: Record<string, number> }> } }>;
  const idMap = lines.find((l) => l.type === 'result')?.plan?.topics[0]?.schemaIdMap;
  assert.deepEqual(
    Object.keys(idMap ?? {})
      .map(Number)
      .sort((a, b) => a - b),
    [...ids].sort((a, b) => a - b),
  );
  const written = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as Plan;
  assert.deepEqual(written.topics[0]!.schemaIdMap, idMap);

  const bad = await runKreroute([...args, ...registryFlags, '--schemas', 'rewrite', '--out', join(dir, 'bad.json')]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, /--schemas: unknown mode "rewrite"/);
  const alone = await runKreroute([...args, '--schemas', 'translate', '--out', join(dir, 'alone.json')]);
  assert.notEqual(alone.code, 0);
  assert.match(alone.stdout + alone.stderr, /--schemas translate: needs both schema registries/);
});

/** Every record of the destination topic, with the partition it sits in. */
async function destinationRecords(topic: string, partitions: number) {
  const c = cluster(getTestClusters().destination);
  const found: Array<{ partition: number; record: FetchedRecord }> = [];
  try {
    for (let partition = 0; partition < partitions; partition++) {
      const [end] = await c.listOffsets(topic, [partition], { kind: 'latest' }, false);
      for await (const chunk of readRange(c, topic, partition, 0n, end!.offset)) for (const record of chunk.records) found.push({ partition, record });
    }
  } finally {
    await c.close();
  }
  return found;
}

test('--schemas translate --mapping key-hash: the copy rewrites the ids and places each record by its translated key; verify passes', async () => {
  const { topic, values, ids } = await conflictingTopic(3);
  const p = await plan({ topics: [topic], ...wholeTopic, mapping: 'key-hash', schemaRegistries: registriesOf(true) });
  const idMap = p.topics[0]!.schemaIdMap;
  assert.ok(idMap, 'the plan records the id map');
  for (const id of ids) assert.notEqual(idMap[String(id)], id, `id ${id} gets the destination's own id`);

  const dir = await stateDir('translate-keyed');
  const { source: from, destination: to } = sides();
  await copyPlan(p, { source: from, destination: to, stateDir: dir });
  const report = await verifyPlan(p, { source: from, destination: to, stateDir: dir });
  assert.equal(report.passed, true, JSON.stringify(report.partitions, null, 1).slice(0, 2000));
  assert.equal(
    report.partitions.reduce((n, v) => n + v.sourceCount, 0),
    4,
  );
  // offsets matches each copy to its source record with the map applied too.
  const offsets = await translateOffsets(p, { source: from, destination: to, stateDir: dir, groups: [uniqueName('group')] });
  assert.equal(offsets.groups[0]!.partitions.length, 3);

  const copied = await destinationRecords(topic, 3);
  assert.equal(copied.length, 4);
  const read: Array<{ key: unknown; value: unknown }> = [];
  for (const { partition, record: r } of copied) {
    for (const bytes of [r.key, r.value]) {
      const id = schemaIdOf(bytes);
      if (id !== undefined) assert.ok(Object.values(idMap).includes(id), `destination id ${id} comes from the map`);
    }
    assert.equal(partition, destinationPartitionOf('key-hash', r.key, 0, 3), 'placed by the key as the destination holds it');
    read.push({ key: await decoded(r.key), value: await decoded(r.value) });
  }
  const order = (a: { value: unknown }, b: { value: unknown }) => JSON.stringify(a.value).localeCompare(JSON.stringify(b.value));
  assert.deepEqual(read.sort(order), [...values].sort(order));
});

test('--schemas translate --mapping key-hash: one copied record with another id fails verify; so does a copy that did not translate', async () => {
  for (const fault of ['one record', 'untranslated'] as const) {
    const { topic, ids } = await conflictingTopic(3);
    const p = await plan({ topics: [topic], ...wholeTopic, mapping: 'key-hash', schemaRegistries: registriesOf(true) });
    const idMap = p.topics[0]!.schemaIdMap!;
    const [, orderId, shipmentId] = ids.map(String) as [string, string, string];
    // Only the record with an unframed key carries the shipment id: it alone is copied with the order's id, in its right partition.
    const report = await verifyFaultyCopy(p, fault === 'one record' ? { ...idMap, [shipmentId]: idMap[orderId]! } : undefined);
    assert.equal(report.passed, false, `${fault}: the wrong ids are found`);
    if (fault === 'one record') {
      const failed = report.partitions.filter((v) => !v.passed);
      assert.equal(failed.length, 1, 'one destination partition fails');
      assert.equal(failed[0]!.sourceCount, failed[0]!.destinationCount, 'the counts agree, only the id differs');
      assert.equal(failed[0]!.destinationPartition, destinationPartitionOf('key-hash', Buffer.from('plain-key'), 0, 3));
    }
  }
});

test('--schemas translate --mapping key-hash: a resumed copy recognizes the translated records an interrupted run wrote', async () => {
  const { topic } = await conflictingTopic(3);
  const p = await plan({ topics: [topic], ...wholeTopic, mapping: 'key-hash', schemaRegistries: registriesOf(true) });
  const idMap = p.topics[0]!.schemaIdMap!;
  const { sourceBootstrap, destinationBootstrap } = sides();
  const [s, d] = [cluster(sourceBootstrap), cluster(destinationBootstrap)];
  try {
    const checkpoint = await freshCheckpoint(p, d, 'at-least-once');
    const orphans = new Map<number, FetchedRecord[]>();
    for await (const chunk of readRange(s, topic, 0, 0n, 4n)) {
      for (const r of chunk.records) {
        const copy = translateRecord(r, idMap);
        const partition = destinationPartitionOf('key-hash', copy.key, 0, 3);
        orphans.set(partition, [...(orphans.get(partition) ?? []), copy]);
      }
    }
    const writer = await produce(destinationBootstrap, topic, orphans);
    const found = await reconcile({ plan: p, source: s, destination: d, checkpoint, filter: compileFilter(p.filter), previousProducerIds: new Set([writer]) });
    assert.equal(found, 4, 'every record the earlier run wrote is matched to its source record');
  } finally {
    await Promise.all([s.close(), d.close()]);
  }
});
