import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reader, readRecordsBatch } from '@platformatic/kafka';
import { splitBatches } from '../../../../../src/kafka/wire/batch/batch-header.ts';
import { decodeBatch } from '../../../../../src/kafka/wire/batch/record-batch-decoder.ts';
import { encodeRecordBatch } from '../../../../../src/kafka/wire/batch/record-batch-encoder.ts';
import type { RecordContent } from '../../../../../src/kafka/wire/record.ts';

const identity = { producerId: 7n, producerEpoch: 1, baseSequence: 0, transactional: false };
const records: RecordContent[] = [
  {
    timestamp: 1_795_000_000_000n,
    key: Buffer.from('k'),
    value: Buffer.from([0, 10, 13, 255]),
    headers: [
      [Buffer.from('h'), null],
      [Buffer.from('h'), Buffer.from('x')],
    ],
  },
  { timestamp: 1_560_000_000_000n, key: null, value: null, headers: [] },
  {
    timestamp: 1_795_000_000_001n,
    key: Buffer.alloc(0),
    value: Buffer.alloc(5000, 1),
    headers: Array.from({ length: 64 }, (_, i) => [Buffer.from(`n${i}`), Buffer.from(`v${i}`)] as const),
  },
];

test('an uncompressed batch decodes to what the client library reads, and each record keeps its stored bytes', () => {
  const bytes = encodeRecordBatch(records, identity);
  const view = splitBatches(bytes)[0]!;
  const ours = decodeBatch(view);
  const library = readRecordsBatch(Reader.from(bytes));
  assert.equal(ours.firstTimestamp, library.firstTimestamp);
  assert.equal(ours.maxTimestamp, library.maxTimestamp);
  assert.equal(ours.producerId, 7n);
  assert.equal(ours.records.length, 3);
  ours.records.forEach((record, i) => {
    const other = library.records[i]!;
    assert.equal(record.offsetDelta, other.offsetDelta);
    assert.equal(record.timestampDelta, other.timestampDelta);
    assert.deepEqual(record.key, records[i]!.key);
    assert.deepEqual(record.value, records[i]!.value);
    assert.deepEqual(record.headers, records[i]!.headers);
  });
  // Re-encoding from the stored bytes gives the very same batch.
  const again = encodeRecordBatch(
    records.map((r, i) => ({ ...r, key: null, value: null, headers: [], raw: ours.records[i]!.raw! })),
    identity,
  );
  assert.deepEqual(again, bytes);
});
