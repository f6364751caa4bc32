// Schema ids against two real schema registries (Apicurio, Confluent-compatible API) and records
// written in the Confluent wire format with a real Avro library (avsc).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import avro from 'avsc';
import { resolveSchemaIds } from '../../src/schemas/id-resolution.ts';
import { SchemaRegistryClient } from '../../src/schemas/registry-client.ts';
import { schemaIdsInTopic } from '../../src/schemas/schema-ids-in-topic.ts';
import { schemaIdOf } from '../../src/schemas/wire-format.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { startSchemaRegistries } from '../support/schema-registries.ts';
import { avroSchema, framed } from '../support/avro-records.ts';
import { plan } from '../support/engine.ts';
import { isKrerouteError } from '../../src/common/errors.ts';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKreroute } from '../support/cli-run.ts';
import { checkedJsonLines } from '../support/json-output.ts';

const ORDER = avroSchema('Order', 'orderId');
const TENANT_KEY = avroSchema('TenantKey', 'tenant');
const INVOICE = avroSchema('Invoice', 'invoiceId');
const SHIPMENT = avroSchema('Shipment', 'shipmentId');

let registries: Awaited<ReturnType<typeof startSchemaRegistries>>;
let source: SchemaRegistryClient;
let destination: SchemaRegistryClient;

before(async () => {
  registries = await startSchemaRegistries();
  source = new SchemaRegistryClient({ url: registries.source.url });
  destination = new SchemaRegistryClient({ url: registries.destination.url });
});
after(async () => registries?.stop());

test('the ids of framed Avro records resolve as same, missing or different on the destination registry', async () => {
  const subject = uniqueName('orders');
  // Source: key schema, then Order, Invoice, Shipment. Destination: the same key schema and Order,
  // then another schema (Shipment) where the source has Invoice.
  const keyId = await source.register(`${subject}-key`, TENANT_KEY);
  const orderId = await source.register(`${subject}-value`, ORDER);
  const invoiceId = await source.register(`${subject}-value`, INVOICE);
  const shipmentId = await source.register(`${subject}-value`, SHIPMENT);
  assert.equal(await destination.register(`${subject}-key`, TENANT_KEY), keyId);
  assert.equal(await destination.register(`${subject}-value`, ORDER), orderId);
  assert.equal(await destination.register(`${subject}-value`, SHIPMENT), invoiceId, 'the destination gives Shipment the id the source gave Invoice');

  const { source: bootstrap } = getTestClusters();
  const topic = uniqueName('schema-ids');
  await createTopic(bootstrap, topic, 2);
  const key = (tenant: string) => framed(keyId, TENANT_KEY, { tenant });
  await produce(
    bootstrap,
    topic,
    new Map([
      [
        0,
        [
          record(key('a'), framed(orderId, ORDER, { orderId: 'o-1' })),
          record(key('a'), framed(invoiceId, INVOICE, { invoiceId: 'i-1' })),
          record('plain', 'not framed'),
        ],
      ],
      [1, [record(key('b'), framed(shipmentId, SHIPMENT, { shipmentId: 's-1' }))]],
    ]),
  );

  const c = cluster(bootstrap);
  let found: Awaited<ReturnType<typeof schemaIdsInTopic>>;
  try {
    const ranges = [0, 1].map((partition) => ({ partition, start: 0n, end: partition === 0 ? 3n : 1n }));
    found = await schemaIdsInTopic(c, topic, ranges);
    const sample = await schemaIdsInTopic(c, topic, ranges, 1);
    assert.deepEqual(
      sample.valueIds,
      [orderId, shipmentId].sort((a, b) => a - b),
      'a sample of one record a partition',
    );
  } finally {
    await c.close();
  }
  assert.deepEqual(found.keyIds, [keyId]);
  assert.deepEqual(found.valueIds, [orderId, invoiceId, shipmentId]);
  assert.equal(found.recordsRead, 4);
  assert.equal(found.framedRecords, 3);

  const resolved = await resolveSchemaIds([...found.keyIds, ...found.valueIds], source, destination);
  const standing = Object.fromEntries(resolved.map((r) => [r.id, r.standing]));
  assert.deepEqual(standing, { [keyId]: 'same', [orderId]: 'same', [invoiceId]: 'different', [shipmentId]: 'missing' });
  const shipment = resolved.find((r) => r.id === shipmentId)!;
  assert.deepEqual(shipment.subjects, [`${subject}-value`]);
  assert.equal(shipment.destinationId, invoiceId, 'the destination has Shipment under the subject, with its own id');
  assert.equal(resolved.find((r) => r.id === invoiceId)!.destinationId, undefined, 'Invoice is nowhere on the destination');
});

test('a framed value decodes with the source schema its id names', async () => {
  const subject = uniqueName('decode');
  const id = await source.register(`${subject}-value`, ORDER);
  const bytes = framed(id, ORDER, { orderId: 'o-42' });
  assert.equal(schemaIdOf(bytes), id);
  const schema = await source.schemaById(id);
  assert.deepEqual({ ...avro.Type.forSchema(JSON.parse(schema!.schema)).fromBuffer(bytes.subarray(5)) }, { orderId: 'o-42' });
});

/** A topic on the source holding two values framed with the source registry's ids of two schemas new to both registries. */
async function framedTopic(subject: string): Promise<{ topic: string; orderId: number; shipmentId: number }> {
  const unique = subject.replace(/[^a-zA-Z0-9]/g, '_');
  const order = avroSchema(`Order_${unique}`, 'orderId');
  const shipment = avroSchema(`Shipment_${unique}`, 'shipmentId');
  const orderId = await source.register(`${subject}-value`, order);
  const shipmentId = await source.register(`${subject}-value`, shipment);
  const topic = uniqueName('schema-plan');
  await createTopic(getTestClusters().source, topic, 1);
  await produce(
    getTestClusters().source,
    topic,
    new Map([[0, [record('k1', framed(orderId, order, { orderId: 'o-1' })), record('k2', framed(shipmentId, shipment, { shipmentId: 's-1' }))]]]),
  );
  return { topic, orderId, shipmentId };
}

const registriesOf = () => ({ source: { url: registries.source.url }, destination: { url: registries.destination.url } });
const wholeTopic = { from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true } as const;

test('plan without registries warns that the framed records need their ids on the destination (SCHEMA_IDS_UNCHECKED)', async () => {
  const { topic, orderId, shipmentId } = await framedTopic(uniqueName('unchecked'));
  const p = await plan({ topics: [topic], ...wholeTopic });
  const warned = p.checks.filter((c) => c.code === 'SCHEMA_IDS_UNCHECKED');
  assert.equal(warned.length, 1);
  assert.equal(warned[0]!.level, 'warning');
  assert.match(warned[0]!.message, new RegExp(`2 of a sample of 2 records of ${topic} carry schema registry ids \\(${orderId}, ${shipmentId}\\)`));
});

test("plan looks at the planned records only: another tenant's schema ids are not reported", async () => {
  const { topic, shipmentId } = await framedTopic(uniqueName('filtered'));
  const p = await plan({ topics: [topic], ...wholeTopic, filter: { kind: 'key-prefix', prefix: 'k2' } });
  const warned = p.checks.find((c) => c.code === 'SCHEMA_IDS_UNCHECKED');
  assert.match(warned!.message, new RegExp(`1 of a sample of 1 records of ${topic} carry schema registry ids \\(${shipmentId}\\)`));
});

test('plan with registries: ids missing on the destination are a warning, and every topic gets its report', async () => {
  const subject = uniqueName('missing');
  const { topic, orderId, shipmentId } = await framedTopic(subject);
  // The destination registry has had fewer schemas registered than the source one so far.
  assert.equal(await destination.schemaById(orderId), undefined);
  assert.equal(await destination.schemaById(shipmentId), undefined);
  const p = await plan({ topics: [topic], ...wholeTopic, exact: true, schemaRegistries: registriesOf() });
  const byCode = Object.fromEntries(p.checks.filter((c) => c.code.startsWith('SCHEMA_')).map((c) => [c.code, c]));
  assert.deepEqual(Object.keys(byCode).sort(), ['SCHEMA_IDS_MISSING', 'SCHEMA_IDS_RESOLVED']);
  assert.equal(byCode['SCHEMA_IDS_MISSING']!.level, 'warning');
  assert.match(
    byCode['SCHEMA_IDS_MISSING']!.message,
    new RegExp(`schema ids ${orderId} \\(${subject}-value\\), ${shipmentId} \\(${subject}-value\\) of ${topic} are missing`),
  );
  assert.match(byCode['SCHEMA_IDS_RESOLVED']!.message, /schema ids in all 2 records of .*: 0 the same on the destination, 2 missing, 0 naming another schema/);
});

test('plan with registries refuses ids that name another schema on the destination (SCHEMA_ID_CONFLICT)', async () => {
  const { topic, orderId } = await framedTopic(uniqueName('conflict'));
  // The destination gives Order's id to other schemas of its own.
  let taken = 0;
  for (let i = 0; taken < orderId && i < 50; i++)
    taken = await destination.register(`${uniqueName('filler')}-value`, avroSchema(`Filler_${i}_${Date.now()}`, 'x'));
  assert.ok((await destination.schemaById(orderId)) !== undefined, 'the destination has the id');
  await assert.rejects(plan({ topics: [topic], ...wholeTopic, schemaRegistries: registriesOf() }), (error: unknown) => {
    assert.ok(isKrerouteError(error));
    assert.equal(error.code, 'DESTINATION_CHECK');
    assert.match(error.message, new RegExp(`schema ids? ${orderId}(, \\d+)? of ${topic} names? another schema on the destination's registry`));
    return true;
  });
});

test('kreroute plan: the registries from the properties files (with basic auth), the report in --json, no secret shown', async () => {
  const subject = uniqueName('cli');
  const { topic, orderId, shipmentId } = await framedTopic(subject);
  assert.equal(await destination.schemaById(orderId), undefined, 'the source registry is ahead of the destination one');
  assert.equal(await destination.schemaById(shipmentId), undefined);
  const dir = tmpdir();
  const sourceConfig = join(dir, `${subject}-source.properties`);
  const destinationConfig = join(dir, `${subject}-dest.properties`);
  await writeFile(sourceConfig, `schema.registry.url=${registries.source.url}\nbasic.auth.user.info=reader:s3cret-pw\n`);
  await writeFile(destinationConfig, `schema.registry.url=${registries.destination.url}\nbearer.auth.token=t0ken-secret\n`);
  const { source: sourceBootstrap, destination: destinationBootstrap } = getTestClusters();
  const run = await runKreroute([
    'plan',
    '--source',
    sourceBootstrap,
    '--destination',
    destinationBootstrap,
    '--source-config',
    sourceConfig,
    '--dest-config',
    destinationConfig,
    '--topic',
    topic,
    '--create-topics',
    '--json',
    '--out',
    join(dir, `${subject}.plan.json`),
  ]);
  const output = run.stdout + run.stderr;
  assert.ok(!/s3cret-pw|t0ken-secret/.test(output), 'no secret in the output');
  assert.equal(run.code, 0, output.slice(0, 2000));
  // Every line fits docs/json-output.schema.json (the new check codes included).
  const lines = checkedJsonLines(run.stdout) as Array<{ type: string; plan?: { checks: { code: string; level: string; message: string }[] } }>;
  const checks = lines.find((l) => l.type === 'result')?.plan?.checks ?? [];
  const missing = checks.find((c) => c.code === 'SCHEMA_IDS_MISSING');
  assert.equal(missing?.level, 'warning');
  assert.match(missing!.message, new RegExp(`schema ids ${orderId} .*, ${shipmentId} .* are missing`));
  assert.ok(checks.some((c) => c.code === 'SCHEMA_IDS_RESOLVED'));
  assert.ok(!output.includes('unknown keys ignored'), 'the registry keys are known keys');
});

/** The subjects the destination registry has (GET /subjects). */
async function destinationSubjects(): Promise<string[]> {
  return (await (await fetch(`${registries.destination.url}/subjects`)).json()) as string[];
}

test('plan --schemas register refuses when the destination registry cannot keep the ids (Apicurio: no IMPORT mode), before any write', async () => {
  const subject = uniqueName('register');
  const { topic, orderId, shipmentId } = await framedTopic(subject);
  assert.equal(await destination.schemaById(orderId), undefined, 'the ids are missing on the destination');
  await assert.rejects(plan({ topics: [topic], ...wholeTopic, schemaRegistries: { ...registriesOf(), register: true } }), (error: unknown) => {
    assert.ok(isKrerouteError(error));
    assert.equal(error.code, 'DESTINATION_CHECK');
    assert.match(
      error.message,
      /^--schemas register: the destination's registry .* cannot register schemas with their source ids: it has no mode API \(GET \/mode\), so no IMPORT mode$/,
    );
    assert.match(error.hint ?? '', /plan with --schemas translate/);
    return true;
  });
  assert.ok(!(await destinationSubjects()).includes(`${subject}-value`), 'nothing was registered on the destination');
  assert.equal(await destination.schemaById(shipmentId), undefined);
  const c = cluster(getTestClusters().destination);
  try {
    assert.equal((await c.topicLayouts([topic])).get(topic), undefined, 'the destination topic was not created either');
  } finally {
    await c.close();
  }
});

test('kreroute plan --schemas register: the refusal is one line with exit code 4 (in --json too); without registries it is refused', async () => {
  const subject = uniqueName('register-cli');
  const { topic } = await framedTopic(subject);
  const { source: sourceBootstrap, destination: destinationBootstrap } = getTestClusters();
  const args = ['plan', '--source', sourceBootstrap, '--destination', destinationBootstrap, '--topic', topic, '--create-topics', '--schemas', 'register'];
  const registryFlags = ['--source-schema-registry', registries.source.url, '--dest-schema-registry', registries.destination.url];
  const out = join(tmpdir(), `${subject}.plan.json`);
  const run = await runKreroute([...args, ...registryFlags, '--out', out]);
  assert.equal(run.code, 4, run.stdout + run.stderr);
  const lines = (run.stdout + run.stderr).split('\n').filter((l) => l.includes('cannot register schemas with their source ids'));
  assert.equal(lines.length, 1, run.stdout + run.stderr);
  assert.match(lines[0]!, /--schemas translate/);
  const json = await runKreroute([...args, ...registryFlags, '--json', '--out', out]);
  assert.equal(json.code, 4);
  const error = (checkedJsonLines(json.stdout) as Array<{ type: string; code?: string; message?: string }>).find((l) => l.type === 'error');
  assert.equal(error?.code, 'DESTINATION_CHECK');
  assert.match(error!.message!, /cannot register schemas with their source ids/);
  const alone = await runKreroute([...args, '--out', out]);
  assert.equal(alone.code, 2);
  assert.match(alone.stdout + alone.stderr, /--schemas register: needs both schema registries/);
});
