import { KrerouteError } from '../errors.ts';
import type { KafkaCluster } from '../kafka/cluster.ts';
import { readRange } from '../kafka/range-reader.ts';
import { type CopyCheckpoint, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import { destinationPartitionOf } from '../plan/partition-mapping.ts';
import type { Plan } from '../plan/plan.ts';
import type { RecordFilter } from '../plan/record-filter.ts';
import { recordDigest } from '../verify/record-digest.ts';

/** How far past a partition's checkpoint an interrupted run can have written (its in-flight chunk, with margin). */
const LOOKAHEAD_BYTES = 16 * 1024 * 1024;

/** Multiset of record digests per destination partition. */
class DigestBag {
  readonly #bags = new Map<string, Map<string, number>>();
  readonly lastOffsets = new Map<string, bigint>();
  total = 0;

  add(key: string, digest: string, offset: bigint): void {
    let bag = this.#bags.get(key);
    if (!bag) this.#bags.set(key, (bag = new Map()));
    bag.set(digest, (bag.get(digest) ?? 0) + 1);
    this.lastOffsets.set(key, offset);
    this.total++;
  }

  take(key: string, digest: string): boolean {
    const bag = this.#bags.get(key);
    const count = bag?.get(digest);
    if (!bag || !count) return false;
    if (count === 1) bag.delete(digest);
    else bag.set(digest, count - 1);
    this.total--;
    return true;
  }
}

export interface ReconcileInput {
  plan: Plan;
  source: KafkaCluster;
  destination: KafkaCluster;
  checkpoint: CopyCheckpoint;
  filter: RecordFilter;
  previousProducerIds: Set<bigint>;
}

/**
 * After a crash, the destination may hold records that the interrupted run wrote after its last
 * checkpoint ("orphans": past the checkpointed end, carrying one of our earlier producer ids).
 * Each is matched by content to the source record it copies, just past that source partition's
 * checkpoint, and that offset is marked already written; the checkpoint then moves past the
 * orphans. So a crash between a write and its checkpoint neither loses nor duplicates a record.
 * Returns how many records were found already written.
 */
export async function reconcile(input: ReconcileInput): Promise<number> {
  const { plan, source, destination, checkpoint, filter, previousProducerIds } = input;
  if (previousProducerIds.size === 0) return 0;
  const orphans = new DigestBag();
  for (const [key, state] of Object.entries(checkpoint.destinations)) {
    const slash = key.lastIndexOf('/');
    const topic = key.slice(0, slash);
    const partition = Number(key.slice(slash + 1));
    const from = BigInt(state.end ?? state.scanFrom);
    const [latest] = await destination.listOffsets(topic, [partition], { kind: 'latest' }, false);
    for await (const chunk of readRange(destination, topic, partition, from, latest?.offset ?? from, { maxBytes: 8 * 1024 * 1024, maxWaitMs: 100, readCommitted: false })) {
      for (const record of chunk.records) {
        if (previousProducerIds.has(record.producerId)) orphans.add(key, recordDigest(record).toString('hex'), record.offset);
      }
    }
  }
  const found = orphans.total;
  if (found === 0) return 0;
  for (const topic of plan.topics) {
    for (const planned of topic.partitions) {
      if (orphans.total === 0) break;
      const state = checkpoint.sources[partitionKey(topic.source, planned.partition)]!;
      if (state.done) continue;
      const start = BigInt(state.next);
      let bytesRead = 0;
      const fetch = { maxBytes: 4 * 1024 * 1024, maxWaitMs: 100, readCommitted: true };
      for await (const chunk of readRange(source, topic.source, planned.partition, start, BigInt(planned.end), fetch)) {
        for (const record of chunk.records) {
          bytesRead += (record.value?.length ?? 0) + (record.key?.length ?? 0);
          if (!filter(record)) continue;
          const target = destinationPartitionOf(plan.mapping, record.key, planned.partition, topic.destinationPartitions);
          if (orphans.take(partitionKey(topic.destination, target), recordDigest(record).toString('hex'))) state.alreadyWritten.push(String(record.offset));
        }
        if (orphans.total === 0 || bytesRead > LOOKAHEAD_BYTES) break;
      }
    }
  }
  if (orphans.total > 0) {
    throw new KrerouteError('RESUME_CONFLICT', `${orphans.total} record(s) on the destination were written by an earlier run of this plan but match nothing left to copy`, {
      hint: 'run verify to see the differences; do not purge',
    });
  }
  for (const [key, last] of orphans.lastOffsets) {
    const state = checkpoint.destinations[key]!;
    if (state.end === null || BigInt(state.end) <= last) state.end = String(last + 1n);
  }
  return found;
}
