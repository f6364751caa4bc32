import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Placement } from '../../../src/offsets/placement.ts';

function place(start: bigint, copies: Array<[offset: bigint, consumed: boolean]>): Placement {
  const placement = new Placement(start);
  for (const [offset, consumed] of copies) placement.add(offset, consumed);
  return placement;
}

test("the group continues at the first copy it has not consumed, other producers' offsets between copies skipped", () => {
  const placement = place(10n, [
    [12n, true],
    [15n, true],
    [16n, false],
    [20n, false],
  ]);
  assert.equal(placement.translated, 16n);
  assert.deepEqual([placement.copied, placement.consumed, placement.replayed], [4, 2, 0]);
});

test('all consumed: after the last copy; none consumed: the first copy; nothing copied: the window start', () => {
  assert.equal(
    place(10n, [
      [12n, true],
      [15n, true],
    ]).translated,
    16n,
  );
  assert.equal(
    place(10n, [
      [12n, false],
      [15n, false],
    ]).translated,
    12n,
  );
  assert.equal(place(10n, []).translated, 10n);
});

test('key-hash: consumed copies after the first unconsumed one are counted as seen twice', () => {
  const placement = place(0n, [
    [0n, true],
    [1n, false],
    [2n, true],
    [3n, false],
    [4n, true],
  ]);
  assert.equal(placement.translated, 1n);
  assert.equal(placement.replayed, 2);
  assert.equal(placement.consumed, 3);
});
