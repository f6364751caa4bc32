import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { KrerouteError } from '../common/errors.ts';
import type { PlanTopic } from '../plan/plan.ts';
import type { RecordFilter } from '../plan/filter/record-filter.ts';
import { destinationPartitionOf } from '../plan/partition-mapping.ts';
import { translateRecord } from '../schemas/record-translation.ts';
import { digestFieldsOf, recordDigest } from '../verify/record-digest.ts';
import { matching, ownRecords } from '../verify/record-readers.ts';
import type { Windows } from '../verify/destination-windows.ts';
import { type Feed, markMatched, match } from './feed-match.ts';
import { Placement } from './placement.ts';

/**
 * Mapping "key-hash": each destination partition holds, interleaved, the records several source
 * partitions sent it, each source partition's in its own order (the copy reads a partition in
 * order). Every copy on the destination is matched by content to the next record of the source
 * partition that sent it (see match); whether the group consumed that record on the source decides. One read
 * of both sides places every group (committed: each group's offsets on the source partitions).
 * Kept in memory per planned record: its digest and source offset (about 100 bytes).
 */
export async function placeKeyHash(
  source: KafkaCluster,
  destination: KafkaCluster,
  topic: PlanTopic,
  windows: Windows,
  ours: Set<bigint>,
  filter: RecordFilter,
  committed: Array<Map<number, bigint>>,
): Promise<Map<number, Placement[]>> {
  const fields = digestFieldsOf(topic);
  const feeds = new Map<number, Feed[]>();
  for (const planned of topic.partitions) {
    const byDestination = new Map<number, Feed>();
    for await (const records of matching(source, topic.source, planned, filter, { other: 0, meter: null })) {
      for (const fetched of records) {
        // --schemas translate: the copy wrote the record with the plan's schema ids.
        const record = topic.schemaIdMap ? translateRecord(fetched, topic.schemaIdMap) : fetched;
        const d = destinationPartitionOf('key-hash', record.key, planned.partition, topic.destinationPartitions);
        let feed = byDestination.get(d);
        if (!feed) {
          feed = { sourcePartition: planned.partition, digests: [], offsets: [], next: 0, taken: new Set() };
          byDestination.set(d, feed);
          feeds.set(d, [...(feeds.get(d) ?? []), feed]);
        }
        feed.digests.push(recordDigest(record, fields).toString('base64'));
        feed.offsets.push(record.offset);
      }
    }
  }
  const placements = new Map<number, Placement[]>();
  for (const [d, window] of windows) {
    const byGroup = committed.map(() => new Placement(window.from));
    const sources = feeds.get(d) ?? [];
    for await (const records of ownRecords(destination, topic.destination, d, window, ours, { foreign: 0, first: null, last: null })) {
      for (const record of records) {
        const digest = recordDigest(record, fields).toString('base64');
        const found = match(sources, digest);
        if (!found) throw notTheCopy(topic, d, `the record at offset ${record.offset} is the copy of no planned record not matched yet`);
        const { feed, index } = found;
        markMatched(feed, index);
        const sourceOffset = feed.offsets[index]!;
        byGroup.forEach((placement, g) => {
          const below = committed[g]!.get(feed.sourcePartition);
          placement.add(record.offset, below !== undefined && sourceOffset < below);
        });
      }
    }
    const left = sources.reduce((sum, f) => sum + f.digests.length - f.next - f.taken.size, 0);
    if (left > 0) throw notTheCopy(topic, d, `${left} planned records have no copy there`);
    placements.set(d, byGroup);
  }
  return placements;
}

const notTheCopy = (topic: PlanTopic, d: number, why: string) =>
  new KrerouteError('VERIFY_FAILED', `${topic.destination}[${d}]: ${why}: offsets cannot be translated`, {
    hint: 'run kreroute verify on this plan again and translate only after it passed',
  });
