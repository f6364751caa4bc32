import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FetchedRecord } from '../../../src/kafka/wire/record.ts';
import { translateInPlace, translateRecord } from '../../../src/schemas/record-translation.ts';
import { schemaIdOf } from '../../../src/schemas/wire-format.ts';

const framed = (id: number, payload: number[]) => {
  const bytes = Buffer.alloc(5 + payload.length);
  bytes.writeInt32BE(id, 1);
  Buffer.from(payload).copy(bytes, 5);
  return bytes;
};

const fetched = (key: Buffer | null, value: Buffer | null): FetchedRecord => ({
  offset: 7n,
  producerId: -1n,
  timestamp: 1000n,
  key,
  value,
  headers: [[Buffer.from('h'), Buffer.from('v')]],
  raw: Buffer.from('stored bytes'),
});

test('translateRecord rewrites the ids of a framed key and value and drops the stored bytes', () => {
  const source = fetched(framed(1, [2, 4]), framed(3, [6]));
  const out = translateRecord(source, { '1': 101, '3': 103 });
  assert.equal(schemaIdOf(out.key), 101);
  assert.equal(schemaIdOf(out.value), 103);
  assert.deepEqual([...out.key!.subarray(5)], [2, 4], 'the payload is kept');
  assert.deepEqual([...out.value!.subarray(5)], [6]);
  assert.equal(out.raw, undefined, 'the record is encoded from its fields, not its stored bytes');
  assert.deepEqual([out.offset, out.timestamp, out.headers], [source.offset, source.timestamp, source.headers]);
  assert.equal(schemaIdOf(source.value), 3, 'the source record is left as it was');
});

test('translateRecord leaves unframed and null keys and values, and ids mapped to themselves, as they are', () => {
  const plain = fetched(Buffer.from('plain key'), null);
  assert.equal(translateRecord(plain, { '1': 101 }), plain);
  const same = fetched(null, framed(5, [1]));
  assert.equal(translateRecord(same, { '5': 5 }), same);
  const mixed = translateRecord(fetched(Buffer.from('k'), framed(1, [])), { '1': 2 });
  assert.equal(mixed.key!.toString(), 'k');
  assert.equal(schemaIdOf(mixed.value), 2);
});

test('translateRecord refuses a framed record whose id the map lacks', () => {
  assert.throws(
    () => translateRecord(fetched(null, framed(9, [1])), { '1': 101 }),
    /offset 7 carries schema id 9, which the plan's schema id map does not translate/,
  );
});

test('translateInPlace rewrites the id inside the stored bytes, keeps the length and payload, and leaves unframed bytes alone', () => {
  const stored = Buffer.concat([Buffer.from([9, 9]), framed(1, [2, 4]), Buffer.from([7])]);
  const value = stored.subarray(2, 9);
  translateInPlace(value, { '1': 258 }, 0n);
  assert.deepEqual([...stored], [9, 9, 0, 0, 0, 1, 2, 2, 4, 7], 'id 258 in the same 4 bytes, the neighbours untouched');
  const plain = Buffer.from('plain');
  translateInPlace(plain, { '1': 2 }, 0n);
  assert.equal(plain.toString(), 'plain');
  translateInPlace(null, { '1': 2 }, 0n);
  assert.throws(() => translateInPlace(framed(9, []), { '1': 2 }, 12n), /offset 12 carries schema id 9/);
});
