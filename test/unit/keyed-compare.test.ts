import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FetchedRecord } from '../../src/kafka/record.ts';
import { KeyedSummary, differingKeys } from '../../src/verify/keyed-compare.ts';

const rec = (key: string, value: string): FetchedRecord => ({ key: Buffer.from(key), value: Buffer.from(value), headers: [], timestamp: 1n, offset: 0n, producerId: 1n });

function compareOrders(source: Array<[string, string, number]>, destination: Array<[string, string]>, sameRecords = true): string[] {
  const want = new KeyedSummary();
  for (const [key, value, partition] of source) want.add(rec(key, value), partition);
  const expected = want.finish();
  const got = new KeyedSummary('all', expected.spread);
  for (const [key, value] of destination) got.add(rec(key, value));
  const actual = got.finish();
  assert.equal(actual.digest === expected.digest, sameRecords, 'the multiset digest depends on the records, never on their order');
  return differingKeys(expected.perKey, actual.perKey, 10);
}

const source: Array<[string, string, number]> = [
  ['solo', 'a1', 0],
  ['solo', 'a2', 0],
  ['shared', 'b-from-p0', 0],
  ['shared', 'b-from-p1', 1],
];

test('key-hash verify keeps the order of a key held by one source partition', () => {
  assert.deepEqual(compareOrders(source, [['solo', 'a1'], ['solo', 'a2'], ['shared', 'b-from-p0'], ['shared', 'b-from-p1']]), []);
  assert.deepEqual(compareOrders(source, [['solo', 'a2'], ['solo', 'a1'], ['shared', 'b-from-p0'], ['shared', 'b-from-p1']]), ['solo']);
});

test('key-hash verify accepts any interleaving of a key that several source partitions held (they had no order between them)', () => {
  assert.deepEqual(compareOrders(source, [['shared', 'b-from-p1'], ['solo', 'a1'], ['shared', 'b-from-p0'], ['solo', 'a2']]), []);
});

test('key-hash verify still finds a changed record of a key spread over partitions', () => {
  assert.deepEqual(compareOrders(source, [['solo', 'a1'], ['solo', 'a2'], ['shared', 'b-from-p0'], ['shared', 'changed']], false), ['shared']);
});
