import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { Reader, compressionsAlgorithmsByBitmask, readRecordsBatch } from '@platformatic/kafka';
import { BATCH, splitBatches } from '../../../../src/kafka/wire/batch/batch-header.ts';
import { encodeRecordBatch } from '../../../../src/kafka/wire/batch/record-batch-encoder.ts';
import type { RecordContent } from '../../../../src/kafka/wire/record.ts';
import type { RecordFilterSpec } from '../../../../src/plan/filter/filter-spec.ts';
import { compileRawFilter } from '../../../../src/plan/filter/raw-record-filter.ts';
import { compileFilter } from '../../../../src/plan/filter/record-filter.ts';
import { canFilterInPlace, filterBatch } from '../../../../src/copy/batches/batch-filter.ts';
import { mergeBatches } from '../../../../src/copy/batches/batch-merge.ts';

const identity = { producerId: 3n, producerEpoch: 0, baseSequence: 0, transactional: false };
const records: RecordContent[] = Array.from({ length: 10 }, (_, i) => ({
  timestamp: 1_795_000_000_000n + BigInt(i),
  key: i === 4 ? null : Buffer.from(i === 7 ? 'x' : `k${i}`),
  value: i === 5 ? null : Buffer.from(JSON.stringify({ tenant: i % 3 === 0 ? 'a' : 'b', n: i })),
  headers: [
    [Buffer.from('tenant'), Buffer.from(i % 3 === 0 ? 'a' : 'b')],
    [Buffer.from('empty'), null],
    ...(i === 8 ? [[Buffer.from('tenant'), Buffer.from('a')] as const] : []),
  ],
}));
const batch = splitBatches(encodeRecordBatch(records, identity))[0]!;

/** The same records in an lz4-compressed batch, as a producer with compression.type=lz4 writes it. */
function lz4Batch() {
  const plain = encodeRecordBatch(records, identity);
  const lz4 = compressionsAlgorithmsByBitmask[3]!;
  const payload = lz4.compressSync(plain.subarray(BATCH.records));
  const bytes = Buffer.concat([plain.subarray(0, BATCH.records), payload]);
  bytes.writeInt32BE(bytes.length - 12, BATCH.length);
  bytes.writeInt16BE(3, BATCH.attributes);
  bytes.writeUInt32BE(crc32c(bytes.subarray(BATCH.attributes)) >>> 0, BATCH.crc);
  return splitBatches(bytes)[0]!;
}

function valuesOf(bytes: Buffer): Array<string | null> {
  return readRecordsBatch(Reader.from(bytes)).records.map((r) => (r.value?.length ? r.value.toString() : null));
}

const specs: RecordFilterSpec[] = [
  { kind: 'header', name: 'tenant', value: 'a' },
  { kind: 'header', name: 'empty', value: '' },
  { kind: 'key-prefix', prefix: 'k' },
  { kind: 'key-prefix', prefix: '' },
  { kind: 'key-regex', pattern: '^k[0-5]$' },
  { kind: 'json-field', path: 'tenant', value: 'b' },
];

test('the in-place filter decides as the record filter does, for every kind of filter', () => {
  for (const spec of specs) {
    const filter = compileFilter(spec);
    const raw = compileRawFilter(spec);
    const expected = records.map((r) => filter(r));
    const kept = filterBatch(batch, raw);
    assert.equal(kept.kept, expected.filter(Boolean).length, JSON.stringify(spec));
    const want = records.filter((_, i) => expected[i]).map((r) => (r.value ? r.value.toString() : null));
    if (kept.bytes) assert.deepEqual(valuesOf(kept.bytes), want, JSON.stringify(spec));
    else assert.deepEqual(want, [], JSON.stringify(spec));
  }
});

test('kept records keep their bytes, timestamps and order, renumbered from 0', () => {
  assert.ok(canFilterInPlace(batch));
  const spec: RecordFilterSpec = { kind: 'header', name: 'tenant', value: 'a' };
  const kept = filterBatch(batch, compileRawFilter(spec));
  assert.equal(kept.kept, 5); // 0, 3, 6, 9 and 8 (its second tenant header)
  const decoded = readRecordsBatch(Reader.from(kept.bytes!));
  assert.deepEqual(
    decoded.records.map((r) => r.offsetDelta),
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual(
    decoded.records.map((r) => decoded.firstTimestamp + r.timestampDelta),
    [0n, 3n, 6n, 8n, 9n].map((d) => 1_795_000_000_000n + d),
  );
  assert.deepEqual(decoded.records[3]!.headers.length, 3);
});

test('a compressed batch is filtered too; when every record matches it goes on as it is, still compressed', () => {
  const compressed = lz4Batch();
  assert.ok(canFilterInPlace(compressed));
  const spec: RecordFilterSpec = { kind: 'json-field', path: 'tenant', value: 'a' };
  const kept = filterBatch(compressed, compileRawFilter(spec));
  assert.equal(kept.kept, 4);
  assert.deepEqual(
    valuesOf(kept.bytes!),
    [0, 3, 6, 9].map((n) => JSON.stringify({ tenant: 'a', n })),
  );
  const every = filterBatch(compressed, () => true);
  assert.equal(every.bytes, compressed.bytes);
  assert.equal(filterBatch(compressed, () => false).bytes, null);
});

test('a batch that does not match its CRC is not filtered (nor joined): SOURCE_CORRUPT', () => {
  const damaged = splitBatches(Buffer.from(encodeRecordBatch(records, identity)))[0]!;
  damaged.bytes[BATCH.records + 30] = damaged.bytes[BATCH.records + 30]! ^ 1;
  assert.throws(
    () => filterBatch(damaged, () => true),
    (error: Error & { code?: string }) => error.code === 'SOURCE_CORRUPT',
  );
  assert.throws(
    () => mergeBatches([batch, damaged]),
    (error: Error & { code?: string }) => error.code === 'SOURCE_CORRUPT',
  );
});
