import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyPlan, verifyPlan } from '../../src/index.ts';
import { renderPlan } from '../../src/cli/render/render-plan.ts';
import { ATTRIBUTE, type BatchView } from '../../src/kafka/wire/batch/batch-header.ts';
import { CODECS, type Codec, codecOf } from '../../src/kafka/wire/batch/batch-compression.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { storedBatches } from '../support/raw-batches.ts';

const TENANTS = ['tenant-a-', 'tenant-b-', 'tenant-c-'];
const RECORDS = 3000;
const SOURCE_BATCH = 300;

/** 3 tenants interleaved, keyed, compressible JSON values (as an order service would write them). */
function tenantRows() {
  return Array.from({ length: RECORDS }, (_, i) => {
    const tenant = TENANTS[i % 3]!;
    const value = { tenant: tenant.slice(0, -1), order: 100_000 + i, sku: `SKU-${(i * 7) % 113}`, qty: i % 9, note: 'standard delivery, leave at the door' };
    return record(`${tenant}${i % 97}`, JSON.stringify(value), { timestamp: 1_700_000_000_000n + BigInt(i), headers: [['source', 'orders']] });
  });
}

const dataBatches = (batches: BatchView[]) => batches.filter((b) => (b.attributes & ATTRIBUTE.control) === 0);
const logBytes = (batches: BatchView[]) => batches.reduce((n, b) => n + b.bytes.length, 0);

/** A source topic whose batches the broker compressed with `codec`, holding the three tenants. */
async function tenantSource(name: string, codec: Codec): Promise<string> {
  const { sourceBootstrap } = sides();
  const topic = uniqueName(name);
  await createTopic(sourceBootstrap, topic, 1, { 'compression.type': codec });
  await produce(sourceBootstrap, topic, new Map([[0, tenantRows()]]), SOURCE_BATCH);
  const stored = dataBatches(await storedBatches(sourceBootstrap, topic, 0));
  assert.ok(stored.length >= RECORDS / SOURCE_BATCH && stored.every((b) => codecOf(b.attributes) === codec), `the source holds ${codec} batches`);
  return topic;
}

async function filteredCopy(topic: string, destinationConfigs: Record<string, string>, compression?: Codec) {
  const { source, destination, destinationBootstrap } = sides();
  await createTopic(destinationBootstrap, topic, 1, destinationConfigs);
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, filter: { kind: 'key-prefix', prefix: 'tenant-b-' } });
  const dir = await stateDir(`compression-${topic.slice(-12)}`);
  const copied = await copyPlan(p, { source, destination, stateDir: dir, ...(compression ? { compression } : {}) });
  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  const batches = dataBatches(await storedBatches(destinationBootstrap, topic, 0));
  return { p, copied, report, batches };
}

for (const codec of CODECS.filter((c) => c !== 'none')) {
  test(`a filtered copy of ${codec} data into a compression.type=producer topic writes ${codec} batches no larger than the broker's own ${codec}; verify passes`, async (t) => {
    const topic = await tenantSource(`compress-${codec}`, codec);
    const { p, copied, report, batches } = await filteredCopy(topic, { 'compression.type': 'producer' });
    assert.equal(p.topics[0]!.destinationCompression, undefined, 'the destination leaves the codec to the producer');
    assert.equal(report.passed, true, JSON.stringify(report.partitions));
    assert.equal(copied.records, RECORDS / 3);
    assert.equal(
      batches.reduce((n, b) => n + b.recordCount, 0),
      RECORDS / 3,
    );
    assert.deepEqual([...new Set(batches.map((b) => codecOf(b.attributes)))], [codec], 'every destination batch carries the source codec');
    assert.equal(copied.stats.forwardedBatches, 0, 'every source batch mixes tenants');
    assert.equal(copied.stats.filteredRecords + copied.stats.joinedRecords, RECORDS / 3);
    assert.deepEqual(Object.keys(copied.stats.builtCodecs), [codec]);

    // The reference: the same records written by a producer, each batch compressed by the broker.
    const { sourceBootstrap } = sides();
    const reference = uniqueName(`compress-${codec}-reference`);
    await createTopic(sourceBootstrap, reference, 1, { 'compression.type': codec });
    await produce(sourceBootstrap, reference, new Map([[0, tenantRows().filter((r) => r.key!.toString().startsWith('tenant-b-'))]]), SOURCE_BATCH);
    const [ours, theirs] = [logBytes(batches), logBytes(dataBatches(await storedBatches(sourceBootstrap, reference, 0)))];
    t.diagnostic(
      `${codec}: destination ${ours} bytes in ${batches.length} batches; broker's own ${codec}: ${theirs} bytes; ratio ${(ours / theirs).toFixed(2)}`,
    );
    assert.ok(ours <= 1.1 * theirs, `destination ${ours} bytes, the broker's own ${codec} ${theirs} bytes`);
  });
}

test('--compression none writes the filtered batches uncompressed; verify passes', async () => {
  const topic = await tenantSource('compress-none', 'lz4');
  const { copied, report, batches } = await filteredCopy(topic, { 'compression.type': 'producer' }, 'none');
  assert.equal(report.passed, true, JSON.stringify(report.partitions));
  assert.deepEqual([...new Set(batches.map((b) => codecOf(b.attributes)))], ['none']);
  assert.deepEqual(Object.keys(copied.stats.builtCodecs), ['none']);
});

test('a destination topic with compression.type=zstd: the plan says so and the copy builds zstd batches from lz4 data; verify passes', async () => {
  const topic = await tenantSource('compress-fixed', 'lz4');
  const { p, copied, report, batches } = await filteredCopy(topic, { 'compression.type': 'zstd' }, 'gzip');
  assert.equal(p.topics[0]!.destinationCompression, 'zstd');
  assert.match(renderPlan(p, 'p.json').join('\n'), /destination compression\.type=zstd: batches the copy builds are written zstd/);
  assert.equal(report.passed, true, JSON.stringify(report.partitions));
  assert.deepEqual([...new Set(batches.map((b) => codecOf(b.attributes)))], ['zstd']);
  assert.deepEqual(Object.keys(copied.stats.builtCodecs), ['zstd'], 'the destination fixes the codec: --compression gzip gives way');
});
