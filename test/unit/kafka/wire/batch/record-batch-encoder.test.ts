import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRecordBatch } from '../../../../../src/kafka/wire/batch/record-batch-encoder.ts';
import type { RecordContent } from '../../../../../src/kafka/wire/record.ts';

/**
 * A v2 record batch of known content, field by field as Kafka's DefaultRecordBatch lays it out
 * (https://kafka.apache.org/documentation/#recordbatch). @platformatic/kafka's createRecordsBatch
 * encodes the same records with the same producer fields to exactly these bytes, CRC32C included.
 */
const RECORDS: RecordContent[] = [
  { key: Buffer.from('k1'), value: Buffer.from('hello'), headers: [[Buffer.from('h'), Buffer.from('v')]], timestamp: 1_700_000_000_000n },
  { key: Buffer.from('k2'), value: Buffer.from('world!'), headers: [], timestamp: 1_700_000_000_005n },
];

const TRANSACTIONAL_BATCH = [
  '0000000000000000', // baseOffset 0
  '00000052', // batchLength 82
  'ffffffff', // partitionLeaderEpoch -1
  '02', // magic 2
  '9f8eae52', // crc (CRC32C of attributes … end)
  '0010', // attributes: transactional, no compression, CreateTime
  '00000001', // lastOffsetDelta 1
  '0000018bcfe56800', // baseTimestamp 1700000000000
  '0000018bcfe56805', // maxTimestamp 1700000000005
  '0000000000001092', // producerId 4242
  '0003', // producerEpoch 3
  '00000011', // baseSequence 17
  '00000002', // records 2
  // record 0: length 17, attributes 0, timestampDelta 0, offsetDelta 0, key "k1", value "hello", one header h=v
  '22' + '00' + '00' + '00' + '04' + '6b31' + '0a' + '68656c6c6f' + '02' + '02' + '68' + '02' + '76',
  // record 1: length 14, attributes 0, timestampDelta 5, offsetDelta 1, key "k2", value "world!", no headers
  '1c' + '00' + '0a' + '02' + '04' + '6b32' + '0c' + '776f726c6421' + '00',
].join('');

test('encodeRecordBatch: the exact bytes of a transactional v2 batch of two records', () => {
  const batch = encodeRecordBatch(RECORDS, { producerId: 4242n, producerEpoch: 3, baseSequence: 17, transactional: true });
  assert.equal(batch.toString('hex'), TRANSACTIONAL_BATCH);
});

test('encodeRecordBatch: null key and value are length -1, a repeated header and a null header value are kept', () => {
  const batch = encodeRecordBatch(
    [
      {
        key: null,
        value: null,
        headers: [
          [Buffer.from('a'), null],
          [Buffer.from('a'), Buffer.from('b')],
        ],
        timestamp: 0n,
      },
    ],
    { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false },
  );
  const header = [
    '0000000000000000',
    '0000003f',
    'ffffffff',
    '02', // batchLength 63: 49 bytes of header after it, one record of 14
    batch.subarray(17, 21).toString('hex'), // the CRC, checked on its own by record-batch-decoder.test.ts
    '0000',
    '00000000',
    '0000000000000000',
    '0000000000000000',
    'ffffffffffffffff',
    'ffff',
    'ffffffff',
    '00000001',
  ].join('');
  // length 13 (1a): attributes, timestampDelta, offsetDelta, key null (01 = -1), value null, two headers: "a" null, "a" "b"
  const record = '1a' + '00' + '00' + '00' + '01' + '01' + '04' + '02' + '61' + '01' + '02' + '61' + '02' + '62';
  assert.equal(batch.toString('hex'), header + record);
});
