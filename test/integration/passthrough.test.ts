import assert from 'node:assert/strict';
import { loadCheckpoint } from '../../src/checkpoint/copy-checkpoint.ts';
import { test } from 'node:test';
import { ATTRIBUTE } from '../../src/kafka/wire/batch/batch-header.ts';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump, kcatProduce } from '../support/kcat.ts';
import { storedBatches } from '../support/raw-batches.ts';

const CODECS = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

for (const [codec, bits] of Object.entries(CODECS)) {
  test(`passthrough forwards ${codec} batches without recompressing them, and verify passes`, async () => {
    const { sourceBootstrap, destinationBootstrap } = sides();
    const topic = uniqueName(`passthrough-${codec}`);
    await createTopic(sourceBootstrap, topic, 2, { 'compression.type': codec });
    const rows = (p: number) =>
      Array.from({ length: 400 }, (_, i) =>
        record(`k${i % 17}`, `partition ${p} value ${i} `.repeat(10), {
          headers: [
            ['tenant', 'a'],
            ['seq', String(i)],
          ],
        }),
      );
    await produce(
      sourceBootstrap,
      topic,
      new Map([
        [0, rows(0)],
        [1, rows(1)],
      ]),
      100,
    );
    const sourceBatches = await storedBatches(sourceBootstrap, topic, 0);
    assert.ok(
      sourceBatches.every((b) => (b.attributes & ATTRIBUTE.compression) === bits),
      `the source holds ${codec} batches`,
    );

    const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
    const { copied, report } = await copyAndVerify(p, await stateDir(`passthrough-${codec}`));
    assert.equal(report.passed, true);
    // Verify digested the forwarded batches whole; purge's anchors still name single records.
    for (const verdict of report.partitions) {
      assert.equal(verdict.anchors?.first.offset, '0');
      assert.equal(BigInt(verdict.anchors!.last.offset) >= 399n, true);
    }
    assert.equal(copied.stats.forwardedRecords, 800);
    assert.equal(copied.stats.reencodedRecords, 0);
    // Exactly-once copies also leave transaction markers (control batches) behind.
    const copiedBatches = (await storedBatches(destinationBootstrap, topic, 0)).filter((b) => (b.attributes & ATTRIBUTE.control) === 0);
    assert.equal(copiedBatches.length, sourceBatches.length, 'one destination batch per source batch');
    assert.ok(
      copiedBatches.every((b) => (b.attributes & ATTRIBUTE.compression) === bits),
      `the destination holds the same ${codec} batches`,
    );
    assert.deepEqual(
      copiedBatches.map((b) => b.bytes.length),
      sourceBatches.map((b) => b.bytes.length),
      'the compressed payloads travelled unchanged',
    );
  });
}

test('batches that straddle the range ends are re-encoded, whole batches inside are forwarded', async () => {
  const { sourceBootstrap } = sides();
  const topic = uniqueName('passthrough-boundaries');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 30 }, (_, i) => record(`k${i}`, `v${i}`))]]), 10);
  const p = await plan({ topics: [topic], from: { kind: 'offset', offset: 5n }, to: { kind: 'offset', offset: 25n }, createTopics: true });
  const { copied, report } = await copyAndVerify(p, await stateDir('passthrough-boundaries'));
  assert.equal(report.passed, true);
  const { forwardedBatches, forwardedRecords, reencodedRecords, mergedBatches, builtCodecs } = copied.stats;
  assert.deepEqual(
    { forwardedBatches, forwardedRecords, reencodedRecords, mergedBatches },
    { forwardedBatches: 1, forwardedRecords: 10, reencodedRecords: 10, mergedBatches: 0 },
  );
  assert.deepEqual(Object.keys(builtCodecs), ['none'], 're-encoded like the uncompressed source');
});

test('record mode (passthrough off) copies the same records', async () => {
  const { source, destination, sourceBootstrap } = sides();
  const topic = uniqueName('record-mode');
  await createTopic(sourceBootstrap, topic, 1, { 'compression.type': 'lz4' });
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 100 }, (_, i) => record(`k${i}`, `v${i}`))]]), 10);
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('record-mode');
  const { copyPlan, verifyPlan } = await import('../../src/index.ts');
  const copied = await copyPlan(p, { source, destination, stateDir: dir, passthrough: false });
  assert.deepEqual([copied.stats.forwardedBatches, copied.stats.reencodedRecords], [0, 100]);
  assert.deepEqual(Object.keys(copied.stats.builtCodecs), ['lz4'], "re-encoded batches keep the source's lz4");
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir })).passed, true);
});

test('small uncompressed batches are joined into bigger ones without decoding; verify passes', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('passthrough-merge');
  await createTopic(sourceBootstrap, topic, 1);
  const rows = Array.from({ length: 1000 }, (_, i) =>
    record(i % 50 === 0 ? null : `k${i}`, i % 77 === 0 ? null : `value ${i}`, {
      timestamp: BigInt(Date.now()) - BigInt(1000 - i) * 7n,
      headers: [
        ['h', `${i}`],
        ['h', null],
      ],
    }),
  );
  await produce(sourceBootstrap, topic, new Map([[0, rows]]), 10);
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('passthrough-merge');
  const { copied, report } = await copyAndVerify(p, dir);
  assert.equal(report.passed, true, JSON.stringify(report.partitions[0]));
  assert.equal(copied.stats.mergedBatches, 100, 'all 100 source batches were joined');
  assert.ok(copied.stats.joinedBatches < 10, `into a few batches (${copied.stats.joinedBatches})`);
  assert.equal(copied.stats.joinedRecords, 1000);
  const stored = (await storedBatches(destinationBootstrap, topic, 0)).filter((b) => (b.attributes & ATTRIBUTE.control) === 0);
  assert.equal(
    stored.reduce((n, b) => n + b.recordCount, 0),
    1000,
  );
  // Joined batches are kreroute's own: verify must compare that partition record by record.
  assert.equal((await loadCheckpoint(dir, p.hash))!.destinations[`${topic}/0`]!.rebuilt, true);
});

test('a copy that forwards every batch as fetched says so in its checkpoint, and verify compares those batches whole', async () => {
  const { sourceBootstrap } = sides();
  const topic = uniqueName('passthrough-whole');
  await createTopic(sourceBootstrap, topic, 2);
  const rows = Array.from({ length: 600 }, (_, i) => record(`k${i}`, `value ${i} `.repeat(80), { headers: [['seq', String(i)]] }));
  await produce(
    sourceBootstrap,
    topic,
    new Map([
      [0, rows],
      [1, rows.slice(0, 300)],
    ]),
    300,
  );
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir('passthrough-whole');
  const { copied, report } = await copyAndVerify(p, dir);
  assert.equal(report.passed, true, JSON.stringify(report.partitions));
  assert.deepEqual([copied.stats.mergedBatches, copied.stats.reencodedRecords], [0, 0], 'every batch forwarded as fetched');
  const checkpoint = (await loadCheckpoint(dir, p.hash))!;
  assert.deepEqual(
    [0, 1].map((d) => checkpoint.destinations[`${topic}/${d}`]!.rebuilt),
    [false, false],
  );
  assert.deepEqual(
    report.partitions.map((v) => [v.sourceCount, v.destinationCount, v.anchors?.first.offset]),
    [
      [600, 600, '0'],
      [300, 300, '0'],
    ],
  );
});

for (const [codec, bits] of Object.entries(CODECS)) {
  test(`a filtered copy of ${codec} batches keeps exactly the tenant's records: mixed batches rebuilt, all-matching ones forwarded still compressed`, async () => {
    const { sourceBootstrap, destinationBootstrap } = sides();
    const topic = uniqueName(`filter-${codec}`);
    await createTopic(sourceBootstrap, topic, 1, { 'compression.type': codec });
    // Batches of 50: the first 200 records alternate tenants, the last 100 are all tenant a.
    const rows = Array.from({ length: 300 }, (_, i) =>
      record(`k${i}`, `value ${i} `.repeat(8), {
        headers: [
          ['tenant', i < 200 && i % 2 === 1 ? 'b' : 'a'],
          ['seq', String(i)],
        ],
      }),
    );
    await produce(sourceBootstrap, topic, new Map([[0, rows]]), 50);
    const p = await plan({
      topics: [topic],
      from: { kind: 'earliest' },
      to: { kind: 'latest' },
      createTopics: true,
      filter: { kind: 'header', name: 'tenant', value: 'a' },
    });
    const { copied, report } = await copyAndVerify(p, await stateDir(`filter-${codec}`));
    assert.equal(report.passed, true);
    assert.equal(copied.records, 200);
    assert.deepEqual(
      [copied.stats.forwardedBatches, copied.stats.forwardedRecords, copied.stats.filteredRecords + copied.stats.joinedRecords, copied.stats.reencodedRecords],
      [2, 100, 100, 0],
      'two all-matching batches forwarded as fetched, the mixed ones filtered (and joined)',
    );
    // The destination topic has the source's compression.type (the plan says so): the rebuilt batches are written in it.
    assert.equal(p.topics[0]!.destinationCompression, codec);
    assert.deepEqual(Object.keys(copied.stats.builtCodecs), [codec]);
    const sourceBatches = await storedBatches(sourceBootstrap, topic, 0);
    const copiedBatches = (await storedBatches(destinationBootstrap, topic, 0)).filter((b) => (b.attributes & ATTRIBUTE.control) === 0);
    const whole = copiedBatches.filter((b) => b.recordCount === 50);
    assert.deepEqual(
      whole.map((b) => b.bytes.length),
      sourceBatches.slice(-2).map((b) => b.bytes.length),
      'the two all-matching batches travelled unchanged',
    );
    assert.ok(whole.every((b) => (b.attributes & ATTRIBUTE.compression) === bits));
    assert.equal(copiedBatches.reduce((n, b) => n + b.recordCount, 0) - 100, 100, 'the mixed batches gave their 100 matching records');
  });
}

test('a filtered copy of lz4 batches written by librdkafka (kcat) keeps exactly the matching records; verify passes', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('filter-librdkafka-lz4');
  await createTopic(sourceBootstrap, topic, 1);
  // 400 records of ~2 KB in large batches: frames of many 64 KiB blocks, tenants mixed in each batch.
  const words = (i: number) => Array.from({ length: 250 }, (_, j) => ((i * 7919 + j * j * 104729) % 1_000_003).toString(36)).join(' ');
  const lines = Array.from({ length: 400 }, (_, i) => `${i % 3 === 0 ? 'a' : 'b'}-${i}\t${words(i)}`);
  await kcatProduce(sourceBootstrap, topic, lines, ['-p', '0', '-z', 'lz4', '-X', 'linger.ms=200', '-X', 'batch.size=1000000']);
  const sourceBatches = await storedBatches(sourceBootstrap, topic, 0);
  assert.ok(
    sourceBatches.every((b) => (b.attributes & ATTRIBUTE.compression) === CODECS.lz4),
    "the source holds the producer's lz4 batches",
  );
  assert.ok(
    sourceBatches.some((b) => b.bytes.length > 64 * 1024 && b.recordCount > 30),
    `some batch spans several lz4 blocks (${sourceBatches.map((b) => b.recordCount).join(', ')})`,
  );

  const p = await plan({
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    createTopics: true,
    filter: { kind: 'key-prefix', prefix: 'a-' },
  });
  const { copied, report } = await copyAndVerify(p, await stateDir('filter-librdkafka-lz4'));
  assert.equal(report.passed, true);
  assert.equal(copied.records, 134);
  const kept = await kcatDump(destinationBootstrap, topic, 0, 0n, 1000);
  assert.deepEqual(
    kept.map((r) => [r.key, r.payload]),
    lines.filter((line) => line.startsWith('a-')).map((line) => line.split('\t')),
  );
});
