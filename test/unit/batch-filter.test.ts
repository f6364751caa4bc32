import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reader, readRecordsBatch } from '@platformatic/kafka';
import { splitBatches } from '../../src/kafka/batch-header.ts';
import { encodeRecordBatch } from '../../src/kafka/record-batch-encoder.ts';
import type { RecordContent } from '../../src/kafka/record.ts';
import { compileFilter } from '../../src/plan/record-filter.ts';
import { canFilterInPlace, filterBatch } from '../../src/copy/batch-filter.ts';

const identity = { producerId: 3n, producerEpoch: 0, baseSequence: 0, transactional: false };
const records: RecordContent[] = Array.from({ length: 10 }, (_, i) => ({
  timestamp: 1_795_000_000_000n + BigInt(i),
  key: i === 4 ? null : Buffer.from(`k${i}`),
  value: i === 5 ? null : Buffer.from(JSON.stringify({ tenant: i % 3 === 0 ? 'a' : 'b', n: i })),
  headers: [[Buffer.from('tenant'), Buffer.from(i % 3 === 0 ? 'a' : 'b')], [Buffer.from('empty'), null]],
}));
const batch = splitBatches(encodeRecordBatch(records, identity))[0]!;

function valuesOf(bytes: Buffer): Array<string | null> {
  return readRecordsBatch(Reader.from(bytes)).records.map((r) => (r.value?.length ? r.value.toString() : null));
}

test('filtering a batch in place keeps exactly the matching records, as stored, renumbered', () => {
  assert.ok(canFilterInPlace(batch));
  const byHeader = filterBatch(batch, compileFilter({ kind: 'header', name: 'tenant', value: 'a' }));
  assert.equal(byHeader.kept, 4);
  assert.deepEqual(valuesOf(byHeader.bytes!), [0, 3, 6, 9].map((i) => JSON.stringify({ tenant: 'a', n: i })));
  const decoded = readRecordsBatch(Reader.from(byHeader.bytes!));
  assert.deepEqual(decoded.records.map((r) => r.offsetDelta), [0, 1, 2, 3]);
  assert.deepEqual(decoded.records.map((r) => decoded.firstTimestamp + r.timestampDelta), [0n, 3n, 6n, 9n].map((d) => 1_795_000_000_000n + d));

  const byJson = filterBatch(batch, compileFilter({ kind: 'json-field', path: 'tenant', value: 'b' }));
  assert.equal(byJson.kept, 5); // record 5 has a null value
  const byKey = filterBatch(batch, compileFilter({ kind: 'key-prefix', prefix: 'k' }));
  assert.equal(byKey.kept, 9); // record 4 has a null key
});

test('all records kept: the batch itself goes on; none kept: nothing', () => {
  const all = filterBatch(batch, compileFilter({ kind: 'header', name: 'empty', value: '' }));
  assert.equal(all.kept, 0, 'a null header value matches no value');
  const every = filterBatch(batch, () => true);
  assert.equal(every.bytes, batch.bytes);
  assert.equal(every.kept, 10);
  assert.equal(filterBatch(batch, () => false).bytes, null);
});
