import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Feed, markMatched, match } from '../../../src/offsets/feed-match.ts';

const feed = (sourcePartition: number, digests: string[]): Feed => ({
  sourcePartition,
  digests,
  offsets: digests.map((_, i) => BigInt(i * 10)),
  next: 0,
  taken: new Set(),
});

function takeAll(feeds: Feed[], copies: string[]): Array<[number, bigint] | null> {
  return copies.map((digest) => {
    const found = match(feeds, digest);
    if (!found) return null;
    markMatched(found.feed, found.index);
    return [found.feed.sourcePartition, found.feed.offsets[found.index]!];
  });
}

test('copies interleaved from several source partitions are matched to each partition in its order', () => {
  const feeds = [feed(0, ['a', 'b', 'a']), feed(1, ['c', 'a'])];
  assert.deepEqual(takeAll(feeds, ['a', 'c', 'a', 'b', 'a']), [
    [0, 0n],
    [1, 0n],
    [1, 10n],
    [0, 10n],
    [0, 20n],
  ]);
  assert.deepEqual(
    feeds.map((f) => [f.next, f.taken.size]),
    [
      [3, 0],
      [2, 0],
    ],
  );
});

test('a copy made out of source order is matched further on, and the feed catches up past it', () => {
  const feeds = [feed(0, ['a', 'b', 'c'])];
  assert.deepEqual(takeAll(feeds, ['b', 'c', 'a']), [
    [0, 10n],
    [0, 20n],
    [0, 0n],
  ]);
  assert.deepEqual([feeds[0]!.next, feeds[0]!.taken.size], [3, 0]);
  assert.deepEqual(takeAll(feeds, ['a']), [null], 'a record copied twice matches nothing the second time');
});
