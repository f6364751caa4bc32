import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BATCH } from '../../../src/kafka/wire/batch/batch-header.ts';
import { forEachCommittedBatch, forEachStoredRecord } from '../../../src/kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../../../src/kafka/wire/batch/record-cursor.ts';
import { encodeRecordBatch } from '../../../src/kafka/wire/batch/record-batch-encoder.ts';
import type { RecordContent } from '../../../src/kafka/wire/record.ts';
import type { DigestFields } from '../../../src/verify/record-digest.ts';
import { DigestFeeder, StreamDigest } from '../../../src/verify/stream-digest.ts';

const identity = { producerId: 3n, producerEpoch: 0, baseSequence: 0, transactional: false };
const base: RecordContent[] = Array.from({ length: 12 }, (_, i) => ({
  timestamp: 1_795_000_000_000n + BigInt(i * 7),
  key: Buffer.from(`key-${i}`),
  value: Buffer.from(`value-${i}`.repeat(i + 1)),
  headers: [
    [Buffer.from('tenant'), Buffer.from(i % 2 ? 'a' : 'b')],
    [Buffer.from('trace'), Buffer.from(`t${i}`)],
  ],
}));

/** Stored batches of `records`, `perBatch` records each, offsets from 0, back to back as a fetch returns them. */
function fetched(records: RecordContent[], perBatch: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < records.length; i += perBatch) {
    const batch = encodeRecordBatch(records.slice(i, i + perBatch), identity);
    batch.writeBigInt64BE(BigInt(i), BATCH.baseOffset);
    parts.push(batch);
  }
  return Buffer.concat(parts);
}

async function digestOf(records: RecordContent[], perBatch = 5, fields: DigestFields = 'all', from = 0n, end = 1_000n): Promise<StreamDigest> {
  const feeder = await DigestFeeder.create();
  const stream = new StreamDigest(fields);
  forEachCommittedBatch(fetched(records, perBatch), null, from, end, (batch) => {
    feeder.begin(stream);
    feeder.addRecords(batch, null);
  });
  feeder.finish([stream]);
  return stream;
}

test('the digest of a record sequence does not depend on how it is batched', async () => {
  const one = await digestOf(base, 1);
  const joined = await digestOf(base, 12);
  const mixed = await digestOf(base, 5);
  assert.equal(one.count, 12);
  assert.equal(one.digest, joined.digest);
  assert.equal(one.digest, mixed.digest);
});

test('every field a copy must keep changes the digest: value byte, key, null key against empty, timestamp, header removed, headers reordered, null header value against empty, order', async () => {
  const reference = (await digestOf(base)).digest;
  const alter = (i: number, change: Partial<RecordContent>) => base.map((r, n) => (n === i ? { ...r, ...change } : r));
  const value = Buffer.from(base[3]!.value!);
  value[2] = value[2]! ^ 1;
  const variants: Record<string, RecordContent[]> = {
    'a value byte': alter(3, { value }),
    'the key': alter(3, { key: Buffer.from('key-X') }),
    'a timestamp': alter(3, { timestamp: base[3]!.timestamp + 1n }),
    'a header removed': alter(3, { headers: base[3]!.headers.slice(1) }),
    'headers reordered': alter(3, { headers: [...base[3]!.headers].reverse() }),
    'two records swapped': [base[1]!, base[0]!, ...base.slice(2)],
    'a record missing': base.slice(1),
  };
  for (const [name, records] of Object.entries(variants)) assert.notEqual((await digestOf(records)).digest, reference, name);
  const nullKey = await digestOf(alter(3, { key: null }));
  const emptyKey = await digestOf(alter(3, { key: Buffer.alloc(0) }));
  assert.notEqual(nullKey.digest, emptyKey.digest, 'null key against empty key');
  const nullHeader = await digestOf(alter(3, { headers: [[Buffer.from('h'), null]] }));
  const emptyHeader = await digestOf(alter(3, { headers: [[Buffer.from('h'), Buffer.alloc(0)]] }));
  assert.notEqual(nullHeader.digest, emptyHeader.digest, 'null header value against empty');
});

test('without timestamps (LogAppendTime destinations) only the timestamp is left out', async () => {
  const shifted = base.map((r) => ({ ...r, timestamp: r.timestamp + 1000n }));
  assert.equal((await digestOf(base, 5, 'all-but-timestamp')).digest, (await digestOf(shifted, 5, 'all-but-timestamp')).digest);
  assert.notEqual((await digestOf(base, 5, 'all-but-timestamp')).digest, (await digestOf(base.slice(1), 5, 'all-but-timestamp')).digest);
});

test('only records inside the range are visited, also where a batch straddles its ends', async () => {
  const inside = await digestOf(base, 5, 'all', 3n, 9n);
  assert.equal(inside.count, 6);
  assert.equal(inside.digest, (await digestOf(base.slice(3, 9), 6, 'all')).digest);
});

test('streams fed in turns keep their own state', async () => {
  const feeder = await DigestFeeder.create();
  const [a, b] = [new StreamDigest('all'), new StreamDigest('all')];
  const cursor = new RecordCursor(Buffer.alloc(0));
  let turn = 0;
  forEachCommittedBatch(fetched(base, 2), null, 0n, 100n, (batch) => {
    for (const stream of [a, b]) {
      feeder.begin(stream);
      forEachStoredRecord(batch, cursor, (at) => feeder.add(batch.records, at.tailStart, at.end, at.timestamp));
      feeder.end();
    }
    turn++;
  });
  feeder.finish([a, b]);
  assert.equal(turn, 6);
  assert.equal(a.digest, b.digest);
  assert.equal(a.digest, (await digestOf(base)).digest, 'record by record as addRecords does it');
});

test('a forwarded compressed batch digests as one item: alike when unchanged, apart from the same records digested one by one', async () => {
  const { compressionsAlgorithmsByBitmask } = await import('@platformatic/kafka');
  const plain = encodeRecordBatch(base, identity);
  const payload = compressionsAlgorithmsByBitmask[3]!.compressSync(plain.subarray(BATCH.records));
  const compressed = Buffer.concat([plain.subarray(0, BATCH.records), payload]);
  compressed.writeInt32BE(compressed.length - 12, BATCH.length);
  compressed.writeInt16BE(3, BATCH.attributes);
  const digest = async (bytes: Buffer, asItem: boolean, baseOffset = 0n) => {
    const copy = Buffer.from(bytes);
    copy.writeBigInt64BE(baseOffset, BATCH.baseOffset);
    const feeder = await DigestFeeder.create();
    const stream = new StreamDigest('all');
    const cursor = new RecordCursor(Buffer.alloc(0));
    forEachCommittedBatch(
      copy,
      null,
      baseOffset,
      baseOffset + 100n,
      (batch) => {
        assert.equal(batch.whole && batch.compressed === (bytes !== plain), true);
        feeder.begin(stream);
        if (asItem) feeder.addBatch(batch);
        else forEachStoredRecord(batch, cursor, (at) => feeder.add(batch.records, at.tailStart, at.end, at.timestamp));
        feeder.end();
      },
      false,
    );
    feeder.finish([stream]);
    return stream;
  };
  const source = await digest(compressed, true);
  assert.equal(source.count, base.length);
  assert.equal((await digest(compressed, true, 500n)).digest, source.digest, 'offsets are not part of it');
  assert.equal((await digest(compressed, false)).digest, (await digest(plain, false)).digest, 'records digest alike compressed or not');
  assert.notEqual((await digest(compressed, false)).digest, source.digest);
  const damaged = Buffer.from(compressed);
  damaged[damaged.length - 3] = damaged[damaged.length - 3]! ^ 1;
  assert.notEqual((await digest(damaged, true)).digest, source.digest);
});
