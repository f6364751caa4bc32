/** The planned records one source partition sent to one destination partition, in source order. */
export interface Feed {
  sourcePartition: number;
  digests: string[];
  offsets: bigint[];
  /** The first record not matched yet; those matched out of order beyond it are in `taken`. */
  next: number;
  taken: Set<number>;
}

/**
 * The record of the feeds a copy is of: the next one of a feed with its content, else (a copy
 * made out of source order, e.g. by shards cutting a partition) the first unmatched one further on.
 */
export function match(feeds: Feed[], digest: string): { feed: Feed; index: number } | null {
  for (const feed of feeds) if (feed.digests[feed.next] === digest) return { feed, index: feed.next };
  for (const feed of feeds) {
    for (let i = feed.next + 1; i < feed.digests.length; i++) if (!feed.taken.has(i) && feed.digests[i] === digest) return { feed, index: i };
  }
  return null;
}

export function markMatched(feed: Feed, index: number): void {
  if (index !== feed.next) {
    feed.taken.add(index);
    return;
  }
  feed.next++;
  while (feed.taken.delete(feed.next)) feed.next++;
}
