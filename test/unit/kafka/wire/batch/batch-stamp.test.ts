import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { stampBatch } from '../../../../../src/kafka/wire/batch/batch-stamp.ts';

/**
 * A v2 batch of two records (see record-batch-encoder.test.ts for the records' fields) as a fetch
 * returns it, then as stamped for our producer. The expected batches are the ones
 * @platformatic/kafka's createRecordsBatch encodes for the same records with producerId 4242,
 * epoch 3, sequence 17 (transactional or not), CRC32C included; only the producer fields, the
 * transactional bit, baseOffset, partitionLeaderEpoch and the CRC differ.
 */
const RECORDS = '22000000046b310a68656c6c6f0202680276' + '1c000a02046b320c776f726c642100';
const TIMESTAMPS = '00000001' + '0000018bcfe56800' + '0000018bcfe56805'; // lastOffsetDelta, base and max timestamp

function batch(fields: { baseOffset: string; leaderEpoch: string; crc: string; attributes: string; producer: string }): string {
  return fields.baseOffset + '00000052' + fields.leaderEpoch + '02' + fields.crc + fields.attributes + TIMESTAMPS + fields.producer + '00000002' + RECORDS;
}

/** As fetched: offset 1234, leader epoch 7, no producer (-1, -1, sequence 0). */
const FETCHED = batch({
  baseOffset: '00000000000004d2',
  leaderEpoch: '00000007',
  crc: '15a311d7',
  attributes: '0000',
  producer: 'ffffffffffffffff' + 'ffff' + '00000000',
});
const STAMPED_IDEMPOTENT = batch({
  baseOffset: '0000000000000000',
  leaderEpoch: 'ffffffff',
  crc: '0c811c21',
  attributes: '0000',
  producer: '0000000000001092' + '0003' + '00000011',
});
const STAMPED_TRANSACTIONAL = batch({
  baseOffset: '0000000000000000',
  leaderEpoch: 'ffffffff',
  crc: '9f8eae52',
  attributes: '0010',
  producer: '0000000000001092' + '0003' + '00000011',
});

const STAMP = { producerId: 4242n, producerEpoch: 3, baseSequence: 17 };

function stamped(input: string, transactional: boolean, crc: 'compute' | 'update'): string {
  const bytes = Buffer.from(input, 'hex');
  stampBatch(bytes, { ...STAMP, transactional }, crc);
  return bytes.toString('hex');
}

test('stampBatch: a fetched batch gets offset 0, leader epoch -1, our producer id, epoch and sequence, and its CRC32C', () => {
  assert.equal(Buffer.from(RECORDS, 'hex').length + 61, 94);
  for (const crc of ['compute', 'update'] as const) {
    assert.equal(stamped(FETCHED, false, crc), STAMPED_IDEMPOTENT, `idempotent, crc ${crc}`);
    assert.equal(stamped(FETCHED, true, crc), STAMPED_TRANSACTIONAL, `transactional, crc ${crc}`);
  }
});

test('stampBatch: the transactional bit is cleared as well as set', () => {
  for (const crc of ['compute', 'update'] as const) assert.equal(stamped(STAMPED_TRANSACTIONAL, false, crc), STAMPED_IDEMPOTENT, `crc ${crc}`);
});

test('stampBatch: a batch that arrived damaged keeps a wrong CRC when the CRC is updated, and gets a valid one when computed', () => {
  const damaged = FETCHED.slice(0, -2) + '01'; // the last record's header count byte changed
  const crcOf = (hex: string) => {
    const bytes = Buffer.from(hex, 'hex');
    return { stored: bytes.readUInt32BE(17), actual: crc32c(bytes.subarray(21)) >>> 0 };
  };
  const updated = crcOf(stamped(damaged, false, 'update'));
  assert.notEqual(updated.stored, updated.actual);
  const computed = crcOf(stamped(damaged, false, 'compute'));
  assert.equal(computed.stored, computed.actual);
});
