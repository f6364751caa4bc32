import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashKey } from '../../../src/verify/keyed-key-hash.ts';

const hex = (key: Uint8Array | null): string => {
  const h = hashKey(key, { lo: 0, hi: 0 });
  return h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');
};

test('a null key, an empty key and keys of every tail length hash apart', () => {
  const keys: Array<Uint8Array | null> = [
    null,
    Buffer.alloc(0),
    Buffer.from([0]),
    Buffer.from([0, 0]),
    Buffer.from([0, 0, 0]),
    Buffer.from([0, 0, 0, 0]),
    Buffer.from([0, 0, 0, 0, 0]),
  ];
  assert.equal(new Set(keys.map(hex)).size, keys.length);
});

test('the hash reads the key view in place: the same bytes anywhere hash alike', () => {
  const buffer = Buffer.from('xxuser-42yy');
  assert.equal(hex(buffer.subarray(2, 9)), hex(Buffer.from('user-42')));
});

test('200k distinct keys give distinct 64-bit hashes, and 32-bit halves spread evenly', () => {
  const seen = new Set<string>();
  const buckets = new Array<number>(64).fill(0);
  for (let i = 0; i < 200_000; i++) {
    const h = hashKey(Buffer.from(`key-${i}`), { lo: 0, hi: 0 });
    seen.add(`${h.lo}:${h.hi}`);
    buckets[h.hi % 64]!++;
  }
  assert.equal(seen.size, 200_000);
  for (const n of buckets) assert.ok(Math.abs(n - 200_000 / 64) < 300, `bucket count ${n}`);
});
