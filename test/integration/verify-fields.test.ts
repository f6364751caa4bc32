// Verify must notice a difference in every field a copy has to keep, whatever the batches on either
// side look like. Each layout below gets one source topic of 13 partitions: partition 0 and the
// key-hash destination's spare partitions are copied faithfully, and each other destination
// partition holds one alteration (written directly, with a checkpoint claiming it as the copy),
// so one verify per layout says, per partition, which alteration it caught. Then the same source
// is copied for real (forwarded, joined, filtered or spread by key, as copyPlan writes it), which
// must pass, and fails once one altered record is appended to it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { murmur2 } from '@platformatic/kafka';
import { type CopySummary, type PartitionVerdict, type Plan, type RecordFilterSpec, type VerifyReport, copyPlan, verifyPlan } from '../../src/index.ts';
import { type CopyCheckpoint, loadCheckpoint, saveCheckpoint } from '../../src/checkpoint/copy-checkpoint.ts';
import { ATTRIBUTE } from '../../src/kafka/wire/batch/batch-header.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';
import { CODECS, type Codec, produceBatches } from '../support/batched-produce.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic } from '../support/fixtures.ts';
import { storedBatches } from '../support/raw-batches.ts';

/** One partition per alteration, and partition 0 copied faithfully. */
const SOURCE_PARTITIONS = 13;
/** The tenant's records per source partition. */
const PER_PARTITION = 20;
const TENANT: RecordFilterSpec = { kind: 'header', name: 'tenant', value: 'acme' };

interface Layout {
  name: string;
  codec: Codec;
  /** Records per batch on the source, and in the faulty copy written to the destination. */
  sourceBatch: number;
  destinationBatch: number;
  valueBytes: number;
  /** The source holds another tenant's records between the tenant's, and the plan filters on the tenant header. */
  filter: boolean;
  /** Plan mapping key-hash, into a destination with more partitions than the source. */
  keyHash: boolean;
  /** How copyPlan wrote this layout: the path its destination batches come from. */
  copiedBy: (stats: CopySummary['stats'], records: number) => void;
}

const compressed = (codec: Codec): Layout => ({
  name: `${codec} batches compressed by the producer`,
  codec,
  // Batched otherwise on the destination: compressed bytes of the two sides differ.
  sourceBatch: 5,
  destinationBatch: 7,
  valueBytes: 200,
  filter: false,
  keyHash: false,
  copiedBy: (stats, records) =>
    assert.deepEqual([stats.forwardedRecords, stats.mergedBatches, stats.reencodedRecords], [records, 0, 0], 'forwarded as fetched, still compressed'),
});

const LAYOUTS: Layout[] = [
  {
    // Batches of about 150 KB: too big to be joined, so a copy forwards them as they are.
    name: 'uncompressed batches',
    codec: 'none',
    sourceBatch: 5,
    destinationBatch: 5,
    valueBytes: 30_000,
    filter: false,
    keyHash: false,
    copiedBy: (stats, records) =>
      assert.deepEqual([stats.forwardedRecords, stats.mergedBatches, stats.reencodedRecords], [records, 0, 0], 'forwarded as fetched'),
  },
  ...(['gzip', 'snappy', 'lz4', 'zstd'] as const).map(compressed),
  {
    // One record per batch on the source, one batch per partition on the destination.
    name: 'joined batches',
    codec: 'none',
    sourceBatch: 1,
    destinationBatch: 1000,
    valueBytes: 100,
    filter: false,
    keyHash: false,
    copiedBy: (stats, records) => assert.equal(stats.mergedBatches, records, 'every one-record batch was joined into a bigger one'),
  },
  {
    name: 'a filtered copy (tenant header)',
    codec: 'none',
    sourceBatch: 10,
    destinationBatch: 5,
    valueBytes: 100,
    filter: true,
    keyHash: false,
    copiedBy: (stats, records) => assert.equal(stats.forwardedRecords + stats.filteredRecords + stats.joinedRecords + stats.reencodedRecords, records),
  },
  {
    // The kept records of each lz4 batch rebuilt and compressed again with lz4 (its own bytes, not the source's).
    name: 'a filtered copy of lz4 batches (recompressed)',
    codec: 'lz4',
    sourceBatch: 10,
    destinationBatch: 5,
    valueBytes: 100,
    filter: true,
    keyHash: false,
    copiedBy: (stats, records) => {
      assert.equal(stats.filteredRecords + stats.joinedRecords, records, 'every source batch mixes tenants');
      assert.deepEqual(Object.keys(stats.builtCodecs), ['lz4']);
    },
  },
  {
    name: 'mapping key-hash into more partitions',
    codec: 'none',
    sourceBatch: 5,
    destinationBatch: 5,
    valueBytes: 100,
    filter: false,
    keyHash: true,
    copiedBy: (stats, records) => assert.equal(stats.forwardedRecords + stats.filteredRecords + stats.joinedRecords + stats.reencodedRecords, records),
  },
];

const header = (name: string, value: string | null) => [Buffer.from(name), value === null ? null : Buffer.from(value)] as const;

/** A copy of `value` with its middle byte changed. */
function flipMiddleByte(value: Buffer | null): Buffer {
  const changed = Buffer.from(value!);
  const middle = changed.length >> 1;
  changed[middle] = changed[middle]! ^ 0x01;
  return changed;
}

/** Which of verify's examples (mapping "same") name the altered record. */
type Example = 'missing' | 'extra' | 'altered' | 'missing and extra';

interface Alteration {
  name: string;
  /** The source record as this alteration needs it (a null key, a null header value). */
  source?: (r: RecordContent) => RecordContent;
  /** What the faulty copy holds instead of the record: nothing, two records, or one changed. */
  copy: (r: RecordContent) => RecordContent[];
  /** How mapping "same" reports it: a record missing, extra, altered (same key and timestamp) or both missing and extra. */
  example: Example;
}

const renamed = (headers: RecordContent['headers'], name: string, to: (h: RecordContent['headers'][number]) => RecordContent['headers'][number]) =>
  headers.map((h) => (h[0].toString() === name ? to(h) : h));

const ALTERATIONS: Alteration[] = [
  { name: 'a missing record', copy: () => [], example: 'missing' },
  { name: 'an extra record (one record copied twice)', copy: (r) => [r, r], example: 'extra' },
  { name: 'one byte of a value changed', copy: (r) => [{ ...r, value: flipMiddleByte(r.value) }], example: 'altered' },
  {
    name: 'a null value (tombstone) copied as an empty value',
    source: (r) => ({ ...r, value: null }),
    copy: (r) => [{ ...r, value: Buffer.alloc(0) }],
    example: 'altered',
  },
  { name: 'a changed key', copy: (r) => [{ ...r, key: Buffer.from(r.key!.toString().toUpperCase()) }], example: 'missing and extra' },
  {
    name: 'a null key copied as an empty key',
    source: (r) => ({ ...r, key: null }),
    copy: (r) => [{ ...r, key: Buffer.alloc(0) }],
    example: 'missing and extra',
  },
  { name: 'a timestamp changed by 1 ms', copy: (r) => [{ ...r, timestamp: r.timestamp + 1n }], example: 'missing and extra' },
  { name: 'a header removed', copy: (r) => [{ ...r, headers: r.headers.filter(([k]) => k.toString() !== 'h1') }], example: 'altered' },
  { name: 'a header name changed', copy: (r) => [{ ...r, headers: renamed(r.headers, 'h1', ([, v]) => [Buffer.from('H1'), v]) }], example: 'altered' },
  {
    name: 'one byte of a header value changed',
    copy: (r) => [{ ...r, headers: renamed(r.headers, 'h2', ([k, v]) => [k, flipMiddleByte(v)]) }],
    example: 'altered',
  },
  {
    name: 'headers reordered (the same headers in another order)',
    copy: (r) => [{ ...r, headers: [r.headers[0]!, r.headers[2]!, r.headers[1]!] }],
    example: 'altered',
  },
  {
    name: 'a null header value copied as an empty one',
    source: (r) => ({ ...r, headers: renamed(r.headers, 'h2', ([k]) => [k, null]) }),
    copy: (r) => [{ ...r, headers: renamed(r.headers, 'h2', ([k]) => [k, Buffer.alloc(0)]) }],
    example: 'altered',
  },
];

/** Alteration i is in destination partition i + 1; partition 0 (and key-hash's spare ones) are faithful. */
const partitionOf = (alteration: number) => alteration + 1;

interface Placed {
  record: RecordContent;
  sourcePartition: number;
  sourceOffset: number;
}

/** Everything a layout's tests need: what was written where, and the one verify of the faulty copy. */
interface Fixture {
  topic: string;
  destinationPartitions: number;
  /** Per destination partition, the tenant's records a faithful copy holds, in the order written. */
  expected: Placed[][];
  /** Per destination partition, what the faulty copy holds. */
  faulty: Placed[][];
  /** Per alteration: its record, as the source holds it. */
  targets: Placed[];
  report: VerifyReport;
}

function sourceRecords(layout: Layout, partition: number, t0: bigint): RecordContent[] {
  const records: RecordContent[] = [];
  const filler = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(layout.valueBytes / 36) + 1);
  for (let i = 0; i < PER_PARTITION; i++) {
    const timestamp = t0 + BigInt(partition * 10_000 + i * 7);
    const value = `${partition}/${i}:${filler}`.slice(0, Math.max(layout.valueBytes, 8));
    records.push({
      key: Buffer.from(`k${partition}-${i}`),
      value: Buffer.from(value),
      timestamp,
      headers: [header('tenant', 'acme'), header('h1', `one-${i}`), header('h2', `two-${i}`)],
    });
    if (layout.filter) {
      records.push({
        key: Buffer.from(`g${partition}-${i}`),
        value: Buffer.from(`other ${value}`),
        timestamp: timestamp + 3n,
        headers: [header('tenant', 'globex'), header('h1', `one-${i}`)],
      });
    }
  }
  return records;
}

const isTenant = (r: RecordContent) => r.headers.some(([k, v]) => k.toString() === 'tenant' && v?.toString() === 'acme');

async function setUp(layout: Layout): Promise<Fixture> {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName(`verify-fields-${layout.codec}-${layout.sourceBatch}`);
  const destinationPartitions = layout.keyHash ? SOURCE_PARTITIONS + 2 : SOURCE_PARTITIONS;
  const destinationOf = (r: RecordContent, sourcePartition: number) =>
    !layout.keyHash ? sourcePartition : r.key === null ? sourcePartition % destinationPartitions : (murmur2(r.key) & 0x7fffffff) % destinationPartitions;

  // The source: for each alteration one of the tenant's records that lands in its destination
  // partition, taken from the middle and shaped as the alteration needs it.
  const t0 = BigInt(Date.now()) - 3_600_000n;
  const written = new Map<number, RecordContent[]>();
  for (let p = 0; p < SOURCE_PARTITIONS; p++) written.set(p, sourceRecords(layout, p, t0));
  const taken = new Set<string>();
  const targetAt: Array<{ partition: number; index: number }> = ALTERATIONS.map((alteration, a) => {
    // In the order a faithful copy writes them (see below), so the middle one is in the middle there too.
    const candidates: Array<{ partition: number; index: number; turn: number }> = [];
    for (const [partition, records] of written) {
      let turn = 0;
      records.forEach((r, index) => {
        if (!isTenant(r)) return;
        if (!taken.has(`${partition}/${index}`) && destinationOf(alteration.source?.(r) ?? r, partition) === partitionOf(a))
          candidates.push({ partition, index, turn });
        turn++;
      });
    }
    candidates.sort((x, y) => x.turn - y.turn || x.partition - y.partition);
    assert.ok(candidates.length > 2, `destination partition ${partitionOf(a)} gets records`);
    const chosen = candidates[candidates.length >> 1]!;
    taken.add(`${chosen.partition}/${chosen.index}`);
    return chosen;
  });
  ALTERATIONS.forEach((alteration, a) => {
    const { partition, index } = targetAt[a]!;
    const records = written.get(partition)!;
    if (alteration.source) records[index] = alteration.source(records[index]!);
  });

  // What a faithful copy holds per destination partition: the source partitions' records in turns.
  const placed = [...written].map(([partition, records]) =>
    records.flatMap((record, offset) => (isTenant(record) ? [{ record, sourcePartition: partition, sourceOffset: offset }] : [])),
  );
  const expected: Placed[][] = Array.from({ length: destinationPartitions }, () => []);
  for (let i = 0; i < Math.max(...placed.map((p) => p.length)); i++) {
    for (const list of placed) if (list[i]) expected[destinationOf(list[i]!.record, list[i]!.sourcePartition)]!.push(list[i]!);
  }
  const targets = targetAt.map(({ partition, index }) => placed[partition]!.find((x) => x.sourceOffset === index)!);
  const faulty = expected.map((list) =>
    list.flatMap((x) => {
      const a = targets.indexOf(x);
      return a < 0 ? [x] : ALTERATIONS[a]!.copy(x.record).map((record) => ({ ...x, record }));
    }),
  );

  await Promise.all([createTopic(sourceBootstrap, topic, SOURCE_PARTITIONS), createTopic(destinationBootstrap, topic, destinationPartitions)]);
  await produceBatches(sourceBootstrap, topic, written, { batchSize: layout.sourceBatch, codec: layout.codec });
  const p = await plan({
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    mapping: layout.keyHash ? 'key-hash' : 'same',
    ...(layout.filter ? { filter: TENANT } : {}),
  });
  const producerId = await produceBatches(destinationBootstrap, topic, new Map(faulty.map((list, d) => [d, list.map((x) => x.record)])), {
    batchSize: layout.destinationBatch,
    codec: layout.codec,
  });

  // The layout is what it claims to be, on both sides.
  const [sourceBatches, copyBatches] = await Promise.all([storedBatches(sourceBootstrap, topic, 0), storedBatches(destinationBootstrap, topic, 0)]);
  for (const [side, batches, size] of [
    ['source', sourceBatches, layout.sourceBatch],
    ['faulty copy', copyBatches, layout.destinationBatch],
  ] as const) {
    assert.ok(
      batches.every((b) => (b.attributes & ATTRIBUTE.compression) === CODECS[layout.codec]),
      `the ${side} holds ${layout.codec} batches`,
    );
    assert.equal(
      batches[0]!.recordCount,
      Math.min(
        size,
        batches.reduce((n, b) => n + b.recordCount, 0),
      ),
      `the ${side} holds batches of ${size}`,
    );
  }

  const dir = await stateDir('verify-fields');
  await saveCheckpoint(
    dir,
    claim(
      p,
      topic,
      producerId,
      written,
      isTenant,
      faulty.map((list) => list.length),
    ),
  );
  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  return { topic, destinationPartitions, expected, faulty, targets, report };
}

/** A finished copy's checkpoint, claiming what `producerId` wrote (`written[d]` records on destination partition d) as the copy of the plan. */
function claim(
  p: Plan,
  topic: string,
  producerId: bigint,
  source: Map<number, RecordContent[]>,
  matches: (r: RecordContent) => boolean,
  written: number[],
): CopyCheckpoint {
  const sources: CopyCheckpoint['sources'] = {};
  for (const [partition, records] of source) {
    const copied = records.filter(matches).length;
    sources[`${topic}/${partition}`] = { next: String(records.length), copied, skipped: records.length - copied, done: true, alreadyWritten: [] };
  }
  const destinations: CopyCheckpoint['destinations'] = {};
  written.forEach((count, d) => (destinations[`${topic}/${d}`] = { scanFrom: '0', end: String(count), written: count }));
  return {
    format: 'kreroute-checkpoint',
    version: 1,
    planHash: p.hash,
    mode: 'at-least-once',
    producerIds: [String(producerId)],
    sources,
    destinations,
    complete: true,
    updatedAt: '',
  };
}

const verdictOf = (report: VerifyReport, partition: number): PartitionVerdict => {
  const found = report.partitions.filter((v) => v.destinationPartition === partition);
  assert.equal(found.length, 1, `one verdict for destination partition ${partition}`);
  return found[0]!;
};

const shownKey = (key: Buffer | null) => (key === null ? null : key.toString());

function sourceRef(topic: string, x: Placed) {
  return { topic, partition: x.sourcePartition, offset: String(x.sourceOffset), key: shownKey(x.record.key), timestamp: String(x.record.timestamp) };
}

function destinationRef(topic: string, partition: number, offset: number, record: RecordContent) {
  return { topic, partition, offset: String(offset), key: shownKey(record.key), timestamp: String(record.timestamp) };
}

/** The verdict of the alteration's partition, checked in full: it failed there, saying how. */
function assertCaught(fixture: Fixture, layout: Layout, a: number): void {
  const d = partitionOf(a);
  const v = verdictOf(fixture.report, d);
  const expected = fixture.expected[d]!;
  const faulty = fixture.faulty[d]!;
  const target = fixture.targets[a]!;
  assert.equal(v.passed, false, `verify fails destination partition ${d}`);
  assert.deepEqual([v.sourceCount, v.destinationCount], [expected.length, faulty.length]);
  assert.notEqual(v.sourceDigest, v.destinationDigest);
  const position = expected.indexOf(target);
  assert.ok(position > 0);
  const copies = ALTERATIONS[a]!.copy(target.record);
  if (layout.keyHash) {
    // Order and content are compared per key: the keys whose records differ.
    const keys = new Set([target.record.key, ...copies.map((c) => c.key)].map((k) => (k === null ? '<null>' : k.toString())));
    assert.deepEqual([...v.differingKeys!].sort(), [...keys].sort());
    return;
  }
  const { topic } = fixture;
  const alteredAt = ALTERATIONS[a]!.example === 'extra' ? position + 1 : position;
  assert.equal(v.firstDivergence, alteredAt, 'the first divergent position is the altered record');
  const examples = { missing: v.missing, extra: v.extra, altered: v.altered };
  switch (ALTERATIONS[a]!.example) {
    case 'missing':
      assert.deepEqual(examples, { missing: [sourceRef(topic, target)], extra: [], altered: [] });
      break;
    case 'extra':
      assert.deepEqual(examples, { missing: [], extra: [destinationRef(topic, d, alteredAt, target.record)], altered: [] });
      break;
    case 'altered':
      assert.deepEqual(examples, {
        missing: [],
        extra: [],
        altered: [{ source: sourceRef(topic, target), destination: destinationRef(topic, d, position, copies[0]!) }],
      });
      break;
    case 'missing and extra':
      assert.deepEqual(examples, { missing: [sourceRef(topic, target)], extra: [destinationRef(topic, d, position, copies[0]!)], altered: [] });
      break;
  }
}

for (const layout of LAYOUTS) {
  describe(`verify on ${layout.name}`, () => {
    let fixture: Fixture;
    before(async () => {
      fixture = await setUp(layout);
    });

    test('the faithful copy passes, only the altered partitions fail (control)', () => {
      const { report, expected, destinationPartitions } = fixture;
      assert.equal(report.partitions.length, destinationPartitions);
      const failed = report.partitions.filter((v) => !v.passed).map((v) => v.destinationPartition);
      assert.deepEqual(
        failed.sort((a, b) => a - b),
        ALTERATIONS.map((_, a) => partitionOf(a)),
      );
      for (const v of report.partitions.filter((x) => x.passed)) {
        assert.equal(v.sourceCount, expected[v.destinationPartition]!.length);
        assert.equal(v.destinationCount, v.sourceCount);
        assert.equal(v.destinationDigest, v.sourceDigest);
        assert.ok(v.sourceCount > 0, `faithful partition ${v.destinationPartition} holds records`);
      }
      assert.ok(report.partitions.some((v) => v.passed && v.destinationPartition === 0));
      if (layout.filter)
        assert.deepEqual(
          report.otherRecords.map((o) => o.count),
          Array(SOURCE_PARTITIONS).fill(PER_PARTITION),
        );
    });

    ALTERATIONS.forEach((alteration, a) => {
      test(alteration.name, () => assertCaught(fixture, layout, a));
    });

    test('a copy made by copyPlan passes, and fails once one altered record is appended to it', async () => {
      const { source, destination, destinationBootstrap } = sides();
      const { topic, expected, destinationPartitions } = fixture;
      const copyTopic = uniqueName(`${topic}-copy`);
      if (layout.keyHash) await createTopic(destinationBootstrap, copyTopic, destinationPartitions);
      const p = await plan({
        topics: [topic],
        destinationTopic: copyTopic,
        from: { kind: 'earliest' },
        to: { kind: 'latest' },
        createTopics: !layout.keyHash,
        mapping: layout.keyHash ? 'key-hash' : 'same',
        ...(layout.filter ? { filter: TENANT } : {}),
      });
      const dir = await stateDir('verify-fields-copy');
      const total = expected.reduce((n, list) => n + list.length, 0);
      const copied = await copyPlan(p, { source, destination, stateDir: dir });
      assert.equal(copied.records, total);
      layout.copiedBy(copied.stats, total);
      const first = await verifyPlan(p, { source, destination, stateDir: dir });
      assert.deepEqual(
        first.partitions.map((v) => [v.destinationPartition, v.passed, v.destinationCount]),
        expected.map((list, d) => [d, true, list.length]),
      );

      // One record more on partition 3, written as one of the copy's (its producer claimed in the
      // checkpoint): the last record there, one byte of its value changed.
      const d = 3;
      const last = expected[d]!.at(-1)!.record;
      const intruder = { ...last, value: flipMiddleByte(last.value) };
      const producerId = await produceBatches(destinationBootstrap, copyTopic, new Map([[d, [intruder]]]), { batchSize: 1, codec: layout.codec });
      const checkpoint = (await loadCheckpoint(dir, p.hash))!;
      await saveCheckpoint(dir, { ...checkpoint, producerIds: [...checkpoint.producerIds, String(producerId)] });
      const second = await verifyPlan(p, { source, destination, stateDir: dir });
      assert.deepEqual(
        second.partitions.filter((v) => !v.passed).map((v) => v.destinationPartition),
        [d],
      );
      const v = verdictOf(second, d);
      assert.deepEqual([v.sourceCount, v.destinationCount], [expected[d]!.length, expected[d]!.length + 1]);
      if (layout.keyHash) assert.deepEqual(v.differingKeys, [shownKey(last.key)]);
      else
        assert.deepEqual(
          v.extra.map((e) => [e.partition, e.key]),
          [[d, shownKey(last.key)]],
        );
    });
  });
}

test('a partition larger than one fetch is compared whole: one value byte changed past its first 8 MB fails it', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('verify-fields-large');
  const t0 = BigInt(Date.now()) - 3_600_000n;
  // 300 records of 30 KB in batches of 5 per partition: about 9 MB, more than verify fetches at once.
  const rows = (partition: number): RecordContent[] =>
    Array.from({ length: 300 }, (_, i) => ({
      key: Buffer.from(`k${partition}-${i}`),
      value: Buffer.alloc(30_000, `${partition}/${i} `),
      timestamp: t0 + BigInt(i),
      headers: [header('n', String(i))],
    }));
  const written = new Map([
    [0, rows(0)],
    [1, rows(1)],
  ]);
  await Promise.all([createTopic(sourceBootstrap, topic, 2), createTopic(destinationBootstrap, topic, 2)]);
  await produceBatches(sourceBootstrap, topic, written, { batchSize: 5, codec: 'none' });
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' } });
  const faulty = rows(1);
  faulty[290] = { ...faulty[290]!, value: flipMiddleByte(faulty[290]!.value) };
  const producerId = await produceBatches(
    destinationBootstrap,
    topic,
    new Map([
      [0, rows(0)],
      [1, faulty],
    ]),
    { batchSize: 5, codec: 'none' },
  );
  const dir = await stateDir('verify-fields-large');
  await saveCheckpoint(
    dir,
    claim(p, topic, producerId, written, () => true, [300, 300]),
  );

  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  assert.deepEqual(
    report.partitions.map((v) => [v.destinationPartition, v.passed, v.sourceCount, v.destinationCount]),
    [
      [0, true, 300, 300],
      [1, false, 300, 300],
    ],
  );
  const v = verdictOf(report, 1);
  assert.equal(v.firstDivergence, 290);
  assert.deepEqual(
    v.altered.map((a) => [a.source.offset, a.destination.offset, a.source.key]),
    [['290', '290', 'k1-290']],
  );
});
