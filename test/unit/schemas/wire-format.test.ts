import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemaIdOf, withSchemaId } from '../../../src/schemas/wire-format.ts';

const framed = (id: number, payload: number[]) => {
  const bytes = Buffer.alloc(5 + payload.length);
  bytes.writeInt32BE(id, 1);
  Buffer.from(payload).copy(bytes, 5);
  return bytes;
};

test('schemaIdOf reads the big-endian id after magic byte 0', () => {
  assert.equal(schemaIdOf(framed(1, [2, 4])), 1);
  assert.equal(schemaIdOf(framed(0x01020304, [])), 0x01020304);
  assert.equal(schemaIdOf(framed(7, []).subarray(0)), 7);
  // A view into a larger buffer (as records are, in their fetched batch).
  const inside = Buffer.concat([Buffer.from([9, 9, 9]), framed(300, [1])]).subarray(3);
  assert.equal(schemaIdOf(inside), 300);
});

test('schemaIdOf: undefined for bytes that are not framed', () => {
  assert.equal(schemaIdOf(null), undefined);
  assert.equal(schemaIdOf(Buffer.from([0, 0, 0, 1])), undefined, 'shorter than magic + id');
  assert.equal(schemaIdOf(Buffer.from('{"tenant":"b"}')), undefined, 'JSON text starts with {');
  assert.equal(schemaIdOf(Buffer.from([1, 0, 0, 0, 1, 5])), undefined, 'another magic byte');
});

test('withSchemaId rewrites the id only, in a copy', () => {
  const original = framed(5, [10, 20, 30]);
  const rewritten = withSchemaId(original, 77);
  assert.equal(schemaIdOf(rewritten), 77);
  assert.deepEqual([...rewritten.subarray(5)], [10, 20, 30]);
  assert.equal(schemaIdOf(original), 5, 'the input is left as it was');
  assert.throws(() => withSchemaId(Buffer.from('plain'), 1), /not in the schema registry wire format/);
});
