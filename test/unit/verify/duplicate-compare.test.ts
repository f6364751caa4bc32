import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareBuckets } from '../../../src/verify/duplicates/duplicate-check.ts';
import { DESTINATION_SIDE, KeyedSpill } from '../../../src/verify/keyed-spill.ts';

// A digest's two words from a number: distinct numbers, distinct digests, spread over the buckets.
const digest = (n: number): [number, number] => [Math.imul(n, 0x9e3779b1) >>> 0, Math.imul(n ^ 0x5bd1e995, 0x85ebca6b) >>> 0];

test('the bucketed comparison counts other copies of planned records per destination partition, whatever bucket they fall in', async () => {
  const spill = await KeyedSpill.create(20_000, 16);
  try {
    // Planned: 10,000 records per destination partition 0 and 1 (source partitions 3 and 4); record 7 of partition 1 planned twice.
    for (const d of [0, 1]) for (let n = 0; n < 10_000; n++) spill.addWords(d, d + 3, ...digest(d * 100_000 + n), n, 0);
    spill.addWords(1, 4, ...digest(100_007), 10_000, 0);
    // Destination, other producers: 20,000 unrelated records, and copies of planned 5, 9_999 (partition 0) and 7 (partition 1, twice).
    for (let n = 0; n < 20_000; n++) spill.addWords(n % 2, DESTINATION_SIDE, ...digest(1_000_000 + n), n, 0);
    spill.addWords(0, DESTINATION_SIDE, ...digest(9_999), 30_000, 0);
    spill.addWords(0, DESTINATION_SIDE, ...digest(5), 30_001, 1);
    spill.addWords(1, DESTINATION_SIDE, ...digest(100_007), 30_002, 0);
    spill.addWords(1, DESTINATION_SIDE, ...digest(100_007), 30_003, 0);
    // A planned record of partition 0 written to partition 1 is not a duplicate there.
    spill.addWords(1, DESTINATION_SIDE, ...digest(6), 30_004, 0);
    const found = await compareBuckets(spill, 10);
    assert.deepEqual([...found.keys()].sort(), [0, 1]);
    const zero = found.get(0)!;
    assert.equal(zero.records, 2);
    assert.deepEqual(
      zero.examples.map((e) => [e.sourcePartition, e.sourceOffset, e.planned, e.copies, e.otherCopiesAt]),
      [
        [3, 5n, 1, 2, [30_001n + (1n << 32n)]],
        [3, 9_999n, 1, 2, [30_000n]],
      ],
    );
    const one = found.get(1)!;
    assert.equal(one.records, 2);
    assert.deepEqual(
      one.examples.map((e) => [e.sourcePartition, e.sourceOffset, e.planned, e.copies, e.otherCopiesAt]),
      [[4, 7n, 2, 4, [30_002n, 30_003n]]],
    );
  } finally {
    await spill.remove();
  }
});

test('examples are the first by source position, at most as many as asked', async () => {
  const spill = await KeyedSpill.create(1000, 8);
  try {
    for (let n = 0; n < 1000; n++) spill.addWords(0, 0, ...digest(n), n, 0);
    for (let n = 999; n >= 0; n--) spill.addWords(0, DESTINATION_SIDE, ...digest(n), 5000 + n, 0);
    const found = await compareBuckets(spill, 3);
    assert.equal(found.get(0)!.records, 1000);
    assert.deepEqual(
      found.get(0)!.examples.map((e) => e.sourceOffset),
      [0n, 1n, 2n],
    );
  } finally {
    await spill.remove();
  }
});

test('the tally keeps every planned record as its table grows, and counts only planned ones found', async () => {
  const { DuplicateTally } = await import('../../../src/verify/duplicates/duplicate-tally.ts');
  const tally = new DuplicateTally();
  for (let n = 0; n < 100_000; n++) tally.plan(n % 3, ...digest(n), 1, n, 0);
  for (let n = 0; n < 100_000; n += 1000) tally.found(n % 3, ...digest(n), 7_000_000 + n, 0);
  tally.found(1, ...digest(0), 1, 0); // planned on partition 0, not 1
  tally.found(0, ...digest(200_000), 1, 0); // never planned
  const found: Array<[number, bigint, bigint[]]> = [];
  tally.forEachFound((r) => found.push([r.partition, r.sourceOffset, r.otherCopiesAt]));
  assert.equal(found.length, 100);
  assert.deepEqual(found.sort((a, b) => Number(a[1] - b[1]))[1], [1000 % 3, 1000n, [7_001_000n]]);
});
