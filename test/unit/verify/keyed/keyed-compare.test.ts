import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { compareSpill } from '../../../../src/verify/keyed/keyed-compare.ts';
import { hashKey } from '../../../../src/verify/keyed-key-hash.ts';
import { DESTINATION_SIDE, KeyedSpill } from '../../../../src/verify/keyed-spill.ts';

/** A source record: key, value, source partition; a destination record: key, value. */
type SourceRecord = [key: string, value: string, sourcePartition: number];
type DestinationRecord = [key: string, value: string];

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const partitionOf = (key: string, partitions: number): number => key.length % partitions;

/**
 * The keys whose records the per-key comparison finds different, spilled as key-hash verify does
 * (destination partition from the key, both sides in one spill); `buckets` as the spill is cut.
 */
async function differingKeys(
  source: SourceRecord[],
  destination: DestinationRecord[],
  options: { buckets?: number; partitions?: number } = {},
): Promise<string[]> {
  const partitions = options.partitions ?? 1;
  const spill = await KeyedSpill.create(source.length, options.buckets ?? 1);
  const names = new Map<string, string>();
  const hash = { lo: 0, hi: 0 };
  const add = (key: string, value: string, from: number, partition = partitionOf(key, partitions)) => {
    hashKey(Buffer.from(key), hash);
    names.set(`${partition}:${hash.lo}:${hash.hi}`, key);
    spill.add(partition, from, hash, digest(value));
  };
  try {
    for (const [key, value, from] of source) add(key, value, from);
    for (const [key, value] of destination) add(key, value, DESTINATION_SIDE);
    const keys: string[] = [];
    await compareSpill(spill, (partition, key) => keys.push(names.get(`${partition}:${key.lo}:${key.hi}`)!));
    return keys.sort();
  } finally {
    await spill.remove();
  }
}

const source: SourceRecord[] = [
  ['solo', 'a1', 0],
  ['solo', 'a2', 0],
  ['shared', 'b-from-p0', 0],
  ['shared', 'b-from-p1', 1],
];

test('key-hash verify keeps the order of a key held by one source partition', async () => {
  assert.deepEqual(
    await differingKeys(source, [
      ['solo', 'a1'],
      ['solo', 'a2'],
      ['shared', 'b-from-p0'],
      ['shared', 'b-from-p1'],
    ]),
    [],
  );
  assert.deepEqual(
    await differingKeys(source, [
      ['solo', 'a2'],
      ['solo', 'a1'],
      ['shared', 'b-from-p0'],
      ['shared', 'b-from-p1'],
    ]),
    ['solo'],
  );
});

test('key-hash verify accepts any interleaving of a key that several source partitions held (they had no order between them)', async () => {
  const spread: SourceRecord[] = [
    ['k', 'p0-1', 0],
    ['k', 'p1-1', 1],
    ['k', 'p0-2', 0],
    ['k', 'p1-2', 1],
  ];
  const values = spread.map(([, value]) => value);
  const orders = permutations(values);
  assert.equal(orders.length, 24);
  for (const order of orders)
    assert.deepEqual(
      await differingKeys(
        spread,
        order.map((v): DestinationRecord => ['k', v]),
      ),
      [],
      order.join(' '),
    );
});

test('key-hash verify fails a missing, an extra and an altered record, naming their keys', async () => {
  const copy: DestinationRecord[] = [
    ['solo', 'a1'],
    ['solo', 'a2'],
    ['shared', 'b-from-p0'],
    ['shared', 'b-from-p1'],
  ];
  assert.deepEqual(
    await differingKeys(
      source,
      copy.filter(([, v]) => v !== 'a2'),
    ),
    ['solo'],
  );
  assert.deepEqual(
    await differingKeys(
      source,
      copy.filter(([, v]) => v !== 'b-from-p1'),
    ),
    ['shared'],
  );
  assert.deepEqual(await differingKeys(source, [...copy, ['intruder', 'x']]), ['intruder']);
  assert.deepEqual(await differingKeys(source, [...copy, ['shared', 'b-from-p0']]), ['shared'], 'a record twice');
  assert.deepEqual(
    await differingKeys(
      source,
      copy.map(([k, v]): DestinationRecord => [k, v === 'b-from-p1' ? 'changed' : v]),
    ),
    ['shared'],
  );
  assert.deepEqual(
    await differingKeys(
      source,
      copy.map(([k, v]): DestinationRecord => [k, v === 'a1' ? 'changed' : v]),
    ),
    ['solo'],
  );
});

test('a record in another destination partition than its key maps to differs', async () => {
  const spill = await KeyedSpill.create(1, 1);
  try {
    const key = hashKey(Buffer.from('k'), { lo: 0, hi: 0 });
    spill.add(0, 0, key, digest('v'));
    spill.add(1, DESTINATION_SIDE, key, digest('v'));
    const found: number[] = [];
    await compareSpill(spill, (partition) => found.push(partition));
    assert.deepEqual(found.sort(), [0, 1]);
  } finally {
    await spill.remove();
  }
});

test("many keys over many buckets and partitions: a copy that interleaves keys but keeps each key's order passes; one key reordered fails alone", async () => {
  const keys = Array.from({ length: 5_000 }, (_, i) => `user-${i}`);
  const records: SourceRecord[] = [];
  for (let round = 0; round < 3; round++) for (const [i, key] of keys.entries()) records.push([key, `${key}/${round}`, i % 4]);
  // The copy writes source partitions one after another: keys interleave differently, each key's records keep their order.
  const copy = [0, 1, 2, 3].flatMap((p) => records.filter(([, , from]) => from === p).map(([k, v]): DestinationRecord => [k, v]));
  for (const buckets of [1, 7, 64]) assert.deepEqual(await differingKeys(records, copy, { buckets, partitions: 3 }), [], `${buckets} buckets`);
  const swapped = copy.slice();
  const a = swapped.findIndex(([, v]) => v === 'user-777/0');
  const b = swapped.findIndex(([, v]) => v === 'user-777/2');
  [swapped[a], swapped[b]] = [swapped[b]!, swapped[a]!];
  assert.deepEqual(await differingKeys(records, swapped, { buckets: 64, partitions: 3 }), ['user-777']);
});

test('a key with many records takes one group: its order is still checked', async () => {
  const hot: SourceRecord[] = Array.from({ length: 50_000 }, (_, i) => ['hot', `v${i}`, 0]);
  const copy = hot.map(([k, v]): DestinationRecord => [k, v]);
  assert.deepEqual(await differingKeys(hot, copy), []);
  [copy[100], copy[40_000]] = [copy[40_000]!, copy[100]!];
  assert.deepEqual(await differingKeys(hot, copy), ['hot']);
});

test('the spill folder is removed', async () => {
  const before = (await readdir(tmpdir())).filter((f) => f.startsWith('kreroute-verify-')).length;
  const spill = await KeyedSpill.create(10, 3);
  spill.add(0, 0, { lo: 1, hi: 2 }, digest('v'));
  await compareSpill(spill, () => undefined);
  await spill.remove();
  assert.equal((await readdir(tmpdir())).filter((f) => f.startsWith('kreroute-verify-')).length, before);
});

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}
