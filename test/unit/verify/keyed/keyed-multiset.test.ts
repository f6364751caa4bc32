import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { MultisetSums } from '../../../../src/verify/keyed/keyed-multiset.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

test('the sum of digests does not depend on the order of the records, and does on each record', () => {
  const sums = new MultisetSums(3);
  for (const v of ['a', 'b', 'c']) sums.add(0, digest(v));
  for (const v of ['c', 'a', 'b']) sums.add(1, digest(v));
  for (const v of ['c', 'a', 'a']) sums.add(2, digest(v));
  assert.equal(sums.hex(0), sums.hex(1));
  assert.notEqual(sums.hex(0), sums.hex(2));
  assert.deepEqual(
    [0, 1, 2].map((p) => sums.count(p)),
    [3, 3, 3],
  );
});

test('the sum is exact mod 2^256 across the carries, as BigInt arithmetic says', () => {
  const sums = new MultisetSums(1);
  const all = Buffer.alloc(32, 0xff);
  const records = (1 << 20) + 12_345;
  let expected = 0n;
  for (let i = 0; i < records; i++) {
    const d = i % 1000 === 0 ? digest(String(i)) : all;
    sums.add(0, d);
    expected = (expected + BigInt(`0x${d.toString('hex')}`)) % (1n << 256n);
  }
  assert.equal(sums.hex(0), expected.toString(16).padStart(64, '0'));
  assert.equal(sums.hex(0), expected.toString(16).padStart(64, '0'), 'reading it twice changes nothing');
});
