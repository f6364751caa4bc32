import assert from 'node:assert/strict';
import { test } from 'node:test';
import { produceV9Body } from '../../../../src/kafka/wire/produce-request.ts';

/**
 * Produce v9 request bodies, byte by byte, from Kafka's protocol spec
 * (https://kafka.apache.org/protocol#The_Messages_Produce):
 *   Produce Request (Version: 9) => transactional_id acks timeout_ms [topic_data] TAG_BUFFER
 *     transactional_id => COMPACT_NULLABLE_STRING   (unsigned varint length + 1, 0 for null)
 *     acks => INT16, timeout_ms => INT32
 *     topic_data => name [partition_data] TAG_BUFFER   (compact array: unsigned varint count + 1)
 *       name => COMPACT_STRING
 *       partition_data => index records TAG_BUFFER
 *         index => INT32, records => COMPACT_RECORDS (unsigned varint length + 1, then the bytes)
 * Batches are opaque here: stand-ins of known length.
 */

const hex = (parts: Buffer[]): string => Buffer.concat(parts).toString('hex');

test('produceV9Body: one topic, one partition, with a transactional id', () => {
  const batch = Buffer.from('0102030405', 'hex');
  const body = produceV9Body('tx', -1, 30_000, [{ topic: 'orders', partitions: [{ partition: 3, batch }] }]);
  assert.equal(
    hex(body),
    [
      '03' + '7478', // transactional_id "tx"
      'ffff', // acks -1
      '00007530', // timeout_ms 30000
      '02', // one topic
      '07' + '6f7264657273', // name "orders"
      '02', // one partition
      '00000003', // index 3
      '06' + '0102030405', // records: 5 bytes
      '00', // partition tagged fields
      '00', // topic tagged fields
      '00', // request tagged fields
    ].join(''),
  );
  assert.ok(body.includes(batch), 'the batch is passed on as it is, not copied');
});

test('produceV9Body: no transactional id, two topics, two partitions of one, a batch of 200 bytes', () => {
  const big = Buffer.alloc(200, 0x61);
  const body = produceV9Body(null, 1, 5_000, [
    {
      topic: 'a',
      partitions: [
        { partition: 0, batch: Buffer.from('ee', 'hex') },
        { partition: 1, batch: big },
      ],
    },
    { topic: 'bc', partitions: [{ partition: 7, batch: Buffer.from('ff', 'hex') }] },
  ]);
  assert.equal(
    hex(body),
    [
      '00', // transactional_id null
      '0001', // acks 1
      '00001388', // timeout_ms 5000
      '03', // two topics
      '02' + '61', // "a"
      '03', // two partitions
      '00000000' + '02' + 'ee' + '00',
      '00000001' + 'c901' + '61'.repeat(200) + '00', // 201 as an unsigned varint: c9 01
      '00', // topic tagged fields
      '03' + '6263', // "bc"
      '02', // one partition
      '00000007' + '02' + 'ff' + '00',
      '00', // topic tagged fields
      '00', // request tagged fields
    ].join(''),
  );
});
