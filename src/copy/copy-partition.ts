import { KrerouteError } from '../errors.ts';
import type { KafkaCluster } from '../kafka/cluster.ts';
import type { IdempotentProducer } from '../kafka/idempotent-producer.ts';
import { readRange } from '../kafka/range-reader.ts';
import type { FetchedRecord } from '../kafka/record.ts';
import { type CopyCheckpoint, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import { destinationPartitionOf } from '../plan/partition-mapping.ts';
import type { Plan, PlanPartition, PlanTopic } from '../plan/plan.ts';
import type { RecordFilter } from '../plan/record-filter.ts';
import { recordBytes } from '../verify/record-digest.ts';
import { splitIntoBatches } from './batching.ts';
import type { ProgressMeter } from './progress-meter.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface CopyContext {
  plan: Plan;
  source: KafkaCluster;
  destination: KafkaCluster;
  producer: IdempotentProducer;
  checkpoint: CopyCheckpoint;
  filter: RecordFilter;
  meter: ProgressMeter;
  limiter: RateLimiter | undefined;
  onChange: () => void;
  signal?: AbortSignal;
}

const FETCH = { maxBytes: 4 * 1024 * 1024, maxWaitMs: 500, readCommitted: true };

/**
 * Copies one source partition's pinned range. A chunk is fetched, filtered, routed to destination
 * partitions, written, and only when every write of the chunk is acknowledged does the checkpoint
 * move past it; so the checkpoint never claims a record the destination does not hold.
 */
export async function copyPartition(context: CopyContext, topic: PlanTopic, planned: PlanPartition): Promise<void> {
  const state = context.checkpoint.sources[partitionKey(topic.source, planned.partition)]!;
  if (state.done) return;
  const end = BigInt(planned.end);
  const chunks = readRange(context.source, topic.source, planned.partition, BigInt(state.next), end, FETCH, context.signal);
  const alreadyWritten = new Set(state.alreadyWritten);
  const sliceSize = context.limiter ? context.limiter.sliceSize : Number.POSITIVE_INFINITY;
  for await (const chunk of chunks) {
    const slices = sliceRecords(chunk.records, sliceSize);
    for (const [index, slice] of slices.entries()) {
      const last = index === slices.length - 1;
      const next = last ? chunk.nextOffset : slice[slice.length - 1]!.offset + 1n;
      await copySlice(context, topic, planned.partition, slice, next, alreadyWritten);
      state.done = next >= end;
      if (context.signal?.aborted) return;
    }
  }
  state.done = true;
  context.onChange();
}

/** Records in slices of at most `size` (a throttled copy checkpoints each slice). */
function sliceRecords(records: FetchedRecord[], size: number): FetchedRecord[][] {
  if (records.length <= size) return [records];
  const slices: FetchedRecord[][] = [];
  for (let i = 0; i < records.length; i += size) slices.push(records.slice(i, i + size));
  return slices;
}

async function copySlice(context: CopyContext, topic: PlanTopic, sourcePartition: number, records: FetchedRecord[], next: bigint, alreadyWritten: Set<string>): Promise<void> {
  const state = context.checkpoint.sources[partitionKey(topic.source, sourcePartition)]!;
  const matched = records.filter((r) => context.filter(r));
  const toWrite = alreadyWritten.size > 0 ? matched.filter((r) => !alreadyWritten.has(String(r.offset))) : matched;
  await context.limiter?.take(toWrite.length, context.signal);
  const routed = route(context, topic, sourcePartition, toWrite);
  const written = await Promise.all([...routed].map(([destinationPartition, list]) => writePartition(context, topic, destinationPartition, list)));
  state.next = String(next);
  if (alreadyWritten.size > 0) state.alreadyWritten = state.alreadyWritten.filter((o) => BigInt(o) >= next);
  state.copied += written.reduce((sum, n) => sum + n, 0);
  state.skipped += records.length - matched.length;
  context.meter.add(matched.length, matched.reduce((sum, r) => sum + recordBytes(r), 0));
  context.onChange();
}

function route(context: CopyContext, topic: PlanTopic, sourcePartition: number, records: FetchedRecord[]): Map<number, FetchedRecord[]> {
  const routed = new Map<number, FetchedRecord[]>();
  for (const record of records) {
    const partition = destinationPartitionOf(context.plan.mapping, record.key, sourcePartition, topic.destinationPartitions);
    let list = routed.get(partition);
    if (!list) routed.set(partition, (list = []));
    list.push(record);
  }
  return routed;
}

async function writePartition(context: CopyContext, topic: PlanTopic, partition: number, records: FetchedRecord[]): Promise<number> {
  const state = context.checkpoint.destinations[partitionKey(topic.destination, partition)];
  if (!state) throw new KrerouteError('INTERNAL', `no checkpoint entry for ${topic.destination}[${partition}]`);
  let written = 0;
  for (const batch of splitIntoBatches(records, topic.destinationMaxMessageBytes)) {
    const ack = await context.producer.send(topic.destination, partition, batch);
    let end = ack.baseOffset + BigInt(batch.length);
    if (ack.baseOffset < 0n) {
      const [latest] = await context.destination.listOffsets(topic.destination, [partition], { kind: 'latest' }, false);
      end = latest?.offset ?? end;
    }
    if (state.end === null || BigInt(state.end) < end) state.end = String(end);
    state.written += batch.length;
    written += batch.length;
  }
  return written;
}
