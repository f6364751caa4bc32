import { setTimeout as sleep } from 'node:timers/promises';
import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { recordsAppendedBy } from '../kafka/produce/producer-state.ts';
import { type RangeChunk, readRange } from '../kafka/fetch/range-reader.ts';
import { type CopyCheckpoint, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import { CheckpointLedger } from '../checkpoint/ledger.ts';
import { destinationPartitionOf } from '../plan/partition-mapping.ts';
import type { Plan, PlanPartition, PlanTopic } from '../plan/plan.ts';
import type { RecordFilter } from '../plan/filter/record-filter.ts';
import { type DigestFields, recordDigest } from '../kafka/wire/record-digest.ts';
import { digestFieldsOf } from '../plan/digest-fields.ts';
import { translateRecord } from '../schemas/record-translation.ts';

/** Multiset of record digests per destination partition: what earlier runs wrote past the checkpoint. */
class Orphans {
  readonly #bags = new Map<string, Map<string, number>>();
  readonly #left = new Map<string, number>();
  readonly lastOffsets = new Map<string, bigint>();
  total = 0;

  add(destination: string, digest: string, offset: bigint): void {
    let bag = this.#bags.get(destination);
    if (!bag) this.#bags.set(destination, (bag = new Map()));
    bag.set(digest, (bag.get(digest) ?? 0) + 1);
    this.#left.set(destination, (this.#left.get(destination) ?? 0) + 1);
    this.lastOffsets.set(destination, offset);
    this.total++;
  }

  left(destination: string): number {
    return this.#left.get(destination) ?? 0;
  }

  take(destination: string, digest: string): boolean {
    const bag = this.#bags.get(destination);
    const count = bag?.get(digest);
    if (!bag || !count) return false;
    if (count === 1) bag.delete(digest);
    else bag.set(digest, count - 1);
    this.#left.set(destination, this.left(destination) - 1);
    this.total--;
    return true;
  }

  unmatched(): string[] {
    return [...this.#left].filter(([, n]) => n > 0).map(([destination, n]) => `${n} on ${destination}`);
  }
}

export interface ReconcileInput {
  plan: Plan;
  source: KafkaCluster;
  destination: KafkaCluster;
  /** Changed through a ledger of its own (see CheckpointLedger): the caller adopts it in its ledger once reconciled. */
  checkpoint: CopyCheckpoint;
  filter: RecordFilter;
  previousProducerIds: Set<bigint>;
  onProgress?: (message: string) => void;
  /** How long to wait for the interrupted run's last writes to become readable (default 30 s). */
  inFlightWaitMs?: number;
}

/**
 * After a crash, the destination may hold records that the interrupted run wrote after its last
 * checkpoint ("orphans": past the checkpointed end, carrying one of our earlier producer ids). The
 * checkpoint is saved only where every write was acknowledged, so the orphans are exactly what
 * later steps wrote, and per source partition and destination partition they are a prefix of what
 * was left to copy (one partition's writes are acknowledged in order, a failed one stops the copy).
 * Each source partition is read from its checkpoint on, as far as it can still match an orphan,
 * and every record found written is not written again. Returns how many were found.
 */
export async function reconcile(input: ReconcileInput): Promise<number> {
  const { previousProducerIds } = input;
  if (previousProducerIds.size === 0) return 0;
  const orphans = await collectOrphans(input);
  const found = orphans.total;
  if (found === 0) return 0;
  input.onProgress?.(`reconciling: ${found} record(s) on the destination were written after the last checkpoint; finding them in the source`);
  const ledger = new CheckpointLedger(input.checkpoint, input.plan);
  const lanes = input.plan.topics.flatMap((topic) => topic.partitions.map((planned) => new ReconcileLane(input, ledger, topic, planned, orphans)));
  let active = lanes.filter((lane) => lane.open());
  while (active.length > 0 && orphans.total > 0) {
    await Promise.all(active.map((lane) => lane.step()));
    active = active.filter((lane) => lane.open());
  }
  if (orphans.total > 0) {
    throw new KrerouteError(
      'RESUME_CONFLICT',
      `${orphans.total} record(s) on the destination were written by an earlier run of this plan but match nothing left to copy (${orphans.unmatched().slice(0, 4).join(', ')})`,
      {
        hint: 'the source or destination changed since that run: run verify to see the differences; do not purge',
      },
    );
  }
  for (const lane of lanes) lane.settle();
  for (const [key, last] of orphans.lastOffsets) ledger.raiseDestinationEnd(key, last + 1n);
  return found;
}

/** How long a resume waits for the interrupted run's last writes to become readable. */
const IN_FLIGHT_WAIT_MS = 30_000;

async function collectOrphans(input: ReconcileInput): Promise<Orphans> {
  const { plan, destination, checkpoint, previousProducerIds } = input;
  const orphans = new Orphans();
  const lastRun = BigInt(checkpoint.producerIds[checkpoint.producerIds.length - 1] ?? -1);
  for (const [key, state] of Object.entries(checkpoint.destinations)) {
    const slash = key.lastIndexOf('/');
    const topic = key.slice(0, slash);
    const partition = Number(key.slice(slash + 1));
    // A destination that stamps the append time keeps no copy's timestamp: match on the rest.
    const fields = digestFieldsOf(plan.topics.find((t) => t.destination === topic) ?? {});
    // The interrupted run's last writes may be on the leader but not yet replicated (not yet
    // readable): the leader's producer state says how many it appended, the checkpoint how many of
    // those lie before its end. Reading stops only once all the others are seen.
    const appended = await recordsAppendedBy(destination, topic, partition, lastRun);
    const beforeEnd = state.lastRun?.producerId === String(lastRun) ? state.lastRun.records : 0;
    const expected = appended === null ? 0 : appended - beforeEnd;
    let offset = BigInt(state.end ?? state.scanFrom);
    let seen = 0;
    let told = false;
    const waitMs = input.inFlightWaitMs ?? IN_FLIGHT_WAIT_MS;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const [latest] = await destination.listOffsets(topic, [partition], { kind: 'latest' }, false);
      const end = latest?.offset ?? offset;
      for await (const chunk of readRange(
        destination,
        topic,
        partition,
        offset,
        end,
        { maxBytes: 8 * 1024 * 1024, maxWaitMs: 100, readCommitted: false },
        undefined,
        input.onProgress,
      )) {
        for (const record of chunk.records) {
          if (!previousProducerIds.has(record.producerId)) continue;
          orphans.add(key, recordDigest(record, fields).toString('hex'), record.offset);
          if (record.producerId === lastRun) seen++;
        }
        offset = chunk.nextOffset;
      }
      if (seen >= expected) break;
      if (Date.now() > deadline) {
        throw new KrerouteError(
          'COPY_FAILED',
          `${expected - seen} record(s) the interrupted run wrote to ${topic}[${partition}] are on its leader but have not become readable in ${waitMs / 1000} s (not replicated to enough in-sync replicas?)`,
          {
            hint: 'run the same command again once the destination has recovered; nothing was written by this run',
          },
        );
      }
      if (!told)
        input.onProgress?.(`waiting for ${expected - seen} record(s) the interrupted run wrote to ${topic}[${partition}] to become readable (replicated)`);
      told = true;
      await sleep(200);
    }
  }
  return orphans;
}

/** One source partition read from its checkpoint on, matching its records against the orphans. */
class ReconcileLane {
  readonly #input: ReconcileInput;
  readonly #topic: PlanTopic;
  readonly #planned: PlanPartition;
  readonly #orphans: Orphans;
  readonly #ledger: CheckpointLedger;
  /** This lane's source partition in the checkpoint. */
  readonly #key: string;
  readonly #skip: Set<string>;
  /** Destination partitions where this lane met a record not written: none of its later ones were. */
  readonly #closed = new Set<string>();
  readonly #reader: AsyncGenerator<RangeChunk> | null;
  /** The destination partitions this lane's records can go to. */
  readonly #targets: string[];
  readonly #fields: DigestFields;
  #ended = false;
  #matched: bigint[] = [];
  #lastMatched: bigint | null = null;
  #skippedBeforeLast = 0;
  #skippedSince = 0;

  constructor(input: ReconcileInput, ledger: CheckpointLedger, topic: PlanTopic, planned: PlanPartition, orphans: Orphans) {
    this.#input = input;
    this.#topic = topic;
    this.#planned = planned;
    this.#orphans = orphans;
    this.#ledger = ledger;
    this.#key = partitionKey(topic.source, planned.partition);
    const state = ledger.source(this.#key);
    this.#skip = new Set(state.alreadyWritten);
    this.#fields = digestFieldsOf(topic);
    this.#targets =
      input.plan.mapping === 'same'
        ? [partitionKey(topic.destination, planned.destinationPartition!)]
        : Array.from({ length: topic.destinationPartitions }, (_, d) => partitionKey(topic.destination, d));
    this.#reader = state.done
      ? null
      : readRange(
          input.source,
          topic.source,
          planned.partition,
          BigInt(state.next),
          BigInt(planned.end),
          { maxBytes: 4 * 1024 * 1024, maxWaitMs: 100, readCommitted: true },
          undefined,
          input.onProgress,
        );
  }

  open(): boolean {
    return this.#reader !== null && !this.#ended && this.#targets.some((d) => !this.#closed.has(d) && this.#orphans.left(d) > 0);
  }

  async step(): Promise<void> {
    const chunk = await this.#reader!.next();
    if (chunk.done) {
      this.#ended = true;
      return;
    }
    const { plan, filter } = this.#input;
    const idMap = this.#topic.schemaIdMap;
    for (const fetched of chunk.value.records) {
      if (!filter(fetched)) {
        this.#skippedSince++;
        continue;
      }
      if (this.#skip.has(String(fetched.offset))) continue;
      // --schemas translate: the earlier run wrote the record with the plan's schema ids.
      const record = idMap ? translateRecord(fetched, idMap) : fetched;
      const target = partitionKey(
        this.#topic.destination,
        destinationPartitionOf(plan.mapping, record.key, this.#planned.partition, this.#topic.destinationPartitions),
      );
      if (this.#closed.has(target)) continue;
      if (this.#orphans.take(target, recordDigest(record, this.#fields).toString('hex'))) {
        this.#matched.push(record.offset);
        this.#lastMatched = record.offset;
        this.#skippedBeforeLast += this.#skippedSince;
        this.#skippedSince = 0;
      } else {
        this.#closed.add(target);
      }
      if (!this.open()) return;
    }
  }

  /**
   * Records the matches in the checkpoint. With mapping "same" they are a prefix of what was left,
   * so the position simply moves past the last one; with "key-hash" they are marked written.
   */
  settle(): void {
    if (this.#lastMatched === null) return;
    if (this.#input.plan.mapping === 'same') {
      const next = this.#lastMatched + 1n;
      const markedBefore = this.#ledger.source(this.#key).alreadyWritten.filter((o) => BigInt(o) < next).length;
      this.#ledger.advanceSource(this.#key, next, { copied: this.#matched.length + markedBefore, skipped: this.#skippedBeforeLast });
    } else {
      this.#ledger.markWritten(this.#key, this.#matched);
    }
  }
}
