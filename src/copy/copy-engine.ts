import type { KafkaCluster } from '../kafka/client/cluster.ts';
import type { CrcMode } from '../kafka/wire/batch/batch-stamp.ts';
import { BufferPool } from '../kafka/net/buffer-pool.ts';
import type { PipelinedProducer } from '../kafka/produce/pipelined-producer.ts';
import type { FetchedRecord } from '../kafka/wire/record.ts';
import { encodeRecordBatch } from '../kafka/wire/batch/record-batch-encoder.ts';
import { partitionKey } from '../checkpoint/copy-checkpoint.ts';
import type { CheckpointLedger } from '../checkpoint/ledger.ts';
import { destinationPartitionOf } from '../plan/partition-mapping.ts';
import type { Plan, PlanPartition, PlanTopic } from '../plan/plan.ts';
import type { RecordFilter } from '../plan/filter/record-filter.ts';
import { compileRawFilter } from '../plan/filter/raw-record-filter.ts';
import { splitIntoBatches } from './batches/batching.ts';
import { type ChunkAction, planChunk } from './batches/chunk-actions.ts';
import { coalesce } from './batches/coalesce.ts';
import { builtBatch, codecFor } from './batches/built-batch.ts';
import { type CopyStats, countWritten } from './copy-stats.ts';
import type { Codec } from '../kafka/wire/batch/batch-compression.ts';
import type { ProgressMeter } from '../common/progress-meter.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { TransactionBoundary } from './delivery.ts';
import { type FetchPosition, type FetchedPartition, PartitionFetcher } from '../kafka/fetch/partition-fetcher.ts';
import { EmptyAnswers, pause } from '../kafka/fetch/empty-answers.ts';
import { SourceProgress } from './source-progress.ts';
import { translateActions } from './batches/translated-actions.ts';
import { type MetricsSink, timedWait } from '../common/metrics-sink.ts';

export interface EngineContext {
  plan: Plan;
  source: KafkaCluster;
  producer: PipelinedProducer;
  /** The only way the loop changes the checkpoint. */
  ledger: CheckpointLedger;
  filter: RecordFilter;
  meter: ProgressMeter;
  limiter: RateLimiter | undefined;
  /** Forward record batches as fetched where possible (false: decode and re-encode everything). */
  passthrough: boolean;
  /** Bytes fetched but not yet acknowledged by the destination, at most. */
  memoryBudgetBytes: number;
  onChange: () => void;
  /** A transient failure is being retried (shown to the user); `code`: the error's. */
  onRetry?: (message: string, code?: string) => void;
  /** Told how long the loop waits for each cluster and for the rate limit, and when a partition is done. */
  metrics: MetricsSink;
  /** Exactly-once: where to commit a transaction (every write acknowledged first). */
  boundary: TransactionBoundary | undefined;
  signal?: AbortSignal;
  /** How the records travelled: forwarded as fetched, filtered, joined or re-encoded, and compressed. */
  stats: CopyStats;
  /** The codec asked for (--compression) for the batches the copy builds; default: the source's. */
  compression?: Codec;
  /** Destination partitions (keys) where the broker acknowledged a write as a duplicate: their end must be re-read. */
  duplicateAcks: Set<string>;
}

/** A throttled copy commits before a wait longer than this, so no transaction stays open across it. */
const LONG_THROTTLE_WAIT_MS = 500;

/** One fetch of the active lanes' next records. */
interface Round {
  active: Lane[];
  fetched: Promise<FetchedPartition[]>;
}

interface Lane {
  /** Got nothing in the last fetch without leading (its next batch may be too large to come unless it leads). */
  starved: boolean;
  topic: PlanTopic;
  planned: PlanPartition;
  position: FetchPosition;
  progress: SourceProgress;
  alreadyWritten: Set<string>;
}

/**
 * The copy loop: fetch many source partitions at once, decide per batch between forwarding and
 * re-encoding, hand batches to the pipelined producer without waiting for their acknowledgement,
 * and fetch again as long as the memory budget allows. Fetching thus overlaps producing; the
 * checkpoint moves per partition only as far as acknowledged writes reach.
 */
export async function runCopyEngine(context: EngineContext): Promise<void> {
  const lanes = openLanes(context);
  const unsettled = new Set<Promise<unknown>>();
  const throttled = context.limiter !== undefined;
  // A key-hash mapping needs every record decoded; so does a user's choice of record mode. A filter
  // is applied to forwarded batches in place.
  const forwardAllowed = context.passthrough && context.plan.mapping === 'same';
  const filter = context.plan.filter === null ? undefined : compileRawFilter(context.plan.filter);
  // A fetch response is held in memory next to what is buffered for the destination.
  const fetchMaxBytes = Math.min(16 * 1024 * 1024, Math.max(1024 * 1024, Math.floor(context.memoryBudgetBytes / 4)));
  const fetcher = new PartitionFetcher(context.source, {
    partitionMaxBytes: throttled ? 64 * 1024 : 1024 * 1024,
    maxBytes: fetchMaxBytes,
    maxWaitMs: 200,
    // The responses whose batches are being written (held up to the budget, below), and the one being fetched.
    responseBufferBytes: context.memoryBudgetBytes + fetchMaxBytes,
    ...(context.onRetry ? { onRetry: context.onRetry } : {}),
  });
  // Filtered and joined batches are built in reused buffers (see BufferPool), given back once written.
  const batchBuffers = new BufferPool(context.memoryBudgetBytes);
  const allocate = (size: number): Buffer => batchBuffers.take(size);
  // An answer without records is not the end of a range unless the log proves it (see EmptyAnswers).
  const empties = new EmptyAnswers(context.source, { readCommitted: true, ...(context.onRetry ? { onWait: context.onRetry } : {}) });
  const startFetch = (): Round | undefined => {
    const open = lanes.filter((lane) => lane.position.offset < lane.position.end);
    if (open.length === 0) return undefined;
    // Lanes whose last answer had no records wait their back-off; when all do, the fetch waits.
    const wait = Math.min(...open.map((lane) => empties.delayMs(lane.position)));
    // Lanes that got nothing last time go first: see FetchedPartition.leading.
    const active = open.filter((lane) => empties.delayMs(lane.position) <= wait).sort((a, b) => Number(b.starved) - Number(a.starved));
    const fetch = () => fetcher.fetch(active.map((lane) => lane.position));
    const round = { active, fetched: wait === 0 ? fetch() : pause(wait, context.signal).then(() => (context.signal?.aborted ? [] : fetch())) };
    // Awaited by the next round; a failure that comes first must not go unhandled meanwhile.
    round.fetched.catch(() => undefined);
    return round;
  };
  // Responses whose forwarded batches are not all acknowledged yet, each settled once it is released.
  const pinned = new Set<Promise<unknown>>();
  let ahead: Round | undefined;
  while (!context.signal?.aborted) {
    let round = ahead;
    ahead = undefined;
    if (!round) {
      if (!lanes.some((lane) => lane.position.offset < lane.position.end)) break;
      await belowBudget(context, context.memoryBudgetBytes);
      // A response stays until the last of its batches is acknowledged, so one slow destination
      // partition can hold many responses whose other batches count no more in the budget: the
      // next fetch waits while responses of more than the budget are held.
      while (fetcher.heldResponseBytes > context.memoryBudgetBytes && pinned.size > 0) await timedWait(context.metrics, 'destination', Promise.race(pinned));
      round = startFetch()!;
    }
    const { active } = round;
    const fetched = await timedWait(context.metrics, 'source', round.fetched);
    // A filtered copy enlists a partition only when a record is written to it (below): a partition
    // enlisted in advance gets a commit marker even if the filter kept nothing for it, and a marker's
    // timestamp counts as the destination's newest record in the next plan's overlap check.
    if (context.boundary && !context.plan.filter)
      await enlistFetched(
        context.plan,
        context.boundary,
        fetched.filter((f) => f.raw.records.length > 0).map((f) => active.find((l) => l.position === f.position)!),
      );
    // Batches forwarded as fetched are views of their response's buffer: it may be reused once they are all acknowledged.
    const writesByResponse = new Map<() => void, Promise<unknown>[]>();
    let commitDue = false;
    for (const { release } of fetched) writesByResponse.set(release, []);
    for (const { position, from, raw, leading, release } of fetched) {
      const lane = active.find((l) => l.position === position)!;
      lane.starved = false;
      // Filtering decompresses: one partition's batches may come out many times larger than
      // fetched, so the budget is waited for before each partition, not only before each fetch.
      await belowBudget(context, context.memoryBudgetBytes);
      const chunk = planChunk(raw.records, raw.abortedTransactions, {
        from,
        end: position.end,
        // Translated schema ids: every record is rewritten, so none is forwarded as fetched.
        forwardAllowed: forwardAllowed && !lane.topic.schemaIdMap,
        ...(filter ? { filter } : {}),
        maxBatchBytes: lane.topic.destinationMaxMessageBytes,
        alreadyWritten: lane.alreadyWritten,
        allocate,
      });
      if (lane.topic.schemaIdMap) translateActions(chunk.actions, lane.topic.schemaIdMap);
      // A throttled copy keeps the source's batches, so that it moves (and commits) in small steps.
      const { actions } = throttled ? { actions: chunk.actions } : coalesce(chunk.actions, lane.topic.destinationMaxMessageBytes, batchBuffers);
      if (process.env['KREROUTE_DEBUG_ENGINE']) {
        console.error(
          `[engine] ${position.topic.slice(-8)}[${position.partition}] from ${from} next ${chunk.next} bytes ${raw.records.length}: ${chunk.actions.map((a) => (a.kind === 'forward' ? `F${a.batch.baseOffset}-${a.batch.lastOffset}` : `R${a.records.length}`)).join(' ')} => ${actions.map((a) => (a.kind === 'forward' ? `F${a.batch.baseOffset}-${a.batch.lastOffset}` : `R${a.records.length}`)).join(' ')}`,
        );
      }
      chunk.actions = actions;
      let next = chunk.next;
      if (next > from) empties.progressed(position);
      else if (raw.records.length > 0 || !leading) {
        // Its next batch did not fit: it comes when this partition leads the request.
        lane.starved = true;
        continue;
      } else {
        // No batch at all: the end only where the log proves nothing is left below it.
        const proven = await empties.empty(position, raw);
        if (proven === null) continue;
        next = proven;
      }
      lane.position.offset = next;
      if (chunk.actions.length === 0) lane.progress.add(next, [], 0, 0);
      // Each action is a step of its own, so a throttled or transactional copy can pause and
      // commit between batches without ever committing half a step.
      let stepFloor = from;
      for (const [index, action] of chunk.actions.entries()) {
        const own = lastOffsetOf(action) + 1n;
        const stepEnd = index === chunk.actions.length - 1 ? next : own > stepFloor ? own : stepFloor;
        stepFloor = stepEnd;
        // Exactly-once: a transaction commits on time as well as on size, also on a slow link.
        if (context.boundary) await paceTransaction(context, unsettled);
        if (context.limiter && context.boundary && context.limiter.waitMs() > LONG_THROTTLE_WAIT_MS) {
          // Never sleep inside an open transaction: a slow --max-rate could outlast its timeout.
          await settle(unsettled, context);
          await timedWait(context.metrics, 'destination', context.boundary.commit());
        }
        if (context.limiter)
          await timedWait(
            context.metrics,
            'rate-limit',
            context.limiter.take(action.kind === 'forward' ? action.batch.recordCount : action.records.length, context.signal),
          );
        const routed = route(context, lane, action);
        // Exactly-once: partitions join the open transaction before their first write in it.
        const joining = context.boundary?.enlist(lane.topic.destination, routed.byPartition.keys());
        if (joining) await timedWait(context.metrics, 'destination', joining);
        const { acks, records, bytes } = dispatch(context, lane, routed);
        // A batch forwarded as fetched is a view of the response; a rebuilt one sits in batchBuffers.
        if (action.kind === 'forward' && action.batch.rebuilt) {
          const { bytes: rebuilt } = action.batch;
          Promise.all(acks).then(
            () => batchBuffers.release(rebuilt),
            () => undefined,
          );
        } else if (action.kind === 'forward') {
          writesByResponse.get(release)!.push(...acks);
        }
        for (const ack of acks) {
          unsettled.add(ack);
          ack.then(
            () => unsettled.delete(ack),
            () => unsettled.delete(ack),
          );
        }
        lane.progress.add(stepEnd, acks, records, bytes);
        if (!context.boundary?.due()) continue;
        // A throttled copy commits in small steps; otherwise at the end of the response, below.
        if (throttled) {
          await settle(unsettled, context);
          await timedWait(context.metrics, 'destination', context.boundary.commit());
        } else {
          commitDue = true;
        }
      }
    }
    for (const [release, writes] of writesByResponse) {
      const released = Promise.all(writes).then(release, () => undefined);
      pinned.add(released);
      released.then(() => pinned.delete(released));
    }
    if (commitDue && !context.signal?.aborted) {
      // Committing waits until every write is acknowledged; on a slow link that is long. The next
      // fetch goes out first, so data is at hand the moment the commit is done.
      ahead = startFetch();
      await settle(unsettled, context);
      await timedWait(context.metrics, 'destination', context.boundary!.commit());
    }
  }
  // Stopped (interrupted) with a fetch read ahead: its buffers go back.
  if (ahead)
    await ahead.fetched.then(
      (parts) => parts.forEach((part) => part.release()),
      () => undefined,
    );
  await settle(unsettled, context);
  // Its connection and response buffers, freed now rather than when the source cluster is closed (reroute verifies next).
  fetcher.close();
}

/** Registers in one call per topic the destination partitions a fetch's data will go to (see TransactionBoundary.enlist). */
async function enlistFetched(plan: Plan, boundary: TransactionBoundary, lanes: Lane[]): Promise<void> {
  const byTopic = new Map<string, Set<number>>();
  for (const { topic, planned } of lanes) {
    let partitions = byTopic.get(topic.destination);
    if (!partitions) byTopic.set(topic.destination, (partitions = new Set()));
    if (plan.mapping === 'same') partitions.add(planned.destinationPartition!);
    else for (let p = 0; p < topic.destinationPartitions; p++) partitions.add(p);
  }
  for (const [topic, partitions] of byTopic) await boundary.enlist(topic, partitions);
}

function lastOffsetOf(action: ChunkAction): bigint {
  return action.kind === 'forward' ? action.batch.lastOffset : (action.records[action.records.length - 1]?.offset ?? -1n);
}

/** Waits until less than the budget is buffered for the destination; a failed write fails the copy. */
async function belowBudget({ producer, metrics }: EngineContext, budget: number): Promise<void> {
  if (producer.bufferedBytes >= budget) await timedWait(metrics, 'destination', producer.whenBufferedBelow(budget));
  if (producer.failure) throw producer.failure;
}

/**
 * An old transaction commits now; otherwise the next write waits while more than the open
 * transaction may have is waiting for acknowledgement (see TransactionPace).
 */
async function paceTransaction(context: EngineContext, unsettled: Set<Promise<unknown>>): Promise<void> {
  const boundary = context.boundary!;
  if (boundary.overdue()) {
    await settle(unsettled, context);
    await timedWait(context.metrics, 'destination', boundary.commit());
    return;
  }
  const limit = boundary.unackedLimit();
  if (limit !== Infinity) await belowBudget(context, limit);
}

/** Waits until every write so far is acknowledged; a failed write fails the copy. */
async function settle(unsettled: Set<Promise<unknown>>, { producer, metrics }: EngineContext): Promise<void> {
  await timedWait(metrics, 'destination', Promise.all(unsettled));
  if (producer.failure) throw producer.failure;
}

function openLanes(context: EngineContext): Lane[] {
  const lanes: Lane[] = [];
  for (const topic of context.plan.topics) {
    for (const planned of topic.partitions) {
      const key = partitionKey(topic.source, planned.partition);
      const state = context.ledger.source(key);
      if (state.done) continue;
      const end = BigInt(planned.end);
      const lane: Lane = {
        starved: false,
        topic,
        planned,
        position: { topic: topic.source, partition: planned.partition, offset: BigInt(state.next), end },
        alreadyWritten: new Set(state.alreadyWritten),
        progress: new SourceProgress((next, records, bytes) => {
          context.ledger.advanceSource(key, next, { copied: records });
          context.meter.add(records, bytes, topic.source, planned.partition);
          context.metrics.position('copy', topic.source, planned.partition, Number(next));
          if (context.ledger.source(key).done) context.metrics.finished('copy', topic.source, planned.partition);
          context.onChange();
        }),
      };
      lanes.push(lane);
    }
  }
  return lanes;
}

interface Dispatched {
  acks: Promise<unknown>[];
  records: number;
  bytes: number;
}

/** Where one action's records go: destination partition → records (forwarded batches: their one partition). */
interface Routed {
  action: ChunkAction;
  byPartition: Map<number, FetchedRecord[]>;
  /** Records the filter left out, and records an interrupted run already wrote (see reconcile). */
  filteredOut: number;
  alreadyWritten: number;
}

function route(context: EngineContext, lane: Lane, action: ChunkAction): Routed {
  const routed: Routed = { action, byPartition: new Map(), filteredOut: 0, alreadyWritten: 0 };
  const { topic, planned } = lane;
  if (action.kind === 'forward') {
    routed.byPartition.set(planned.destinationPartition!, []);
    return routed;
  }
  for (const record of action.records) {
    if (!context.filter(record)) {
      routed.filteredOut++;
      continue;
    }
    if (lane.alreadyWritten.size > 0 && lane.alreadyWritten.has(String(record.offset))) {
      routed.alreadyWritten++;
      continue;
    }
    const partition = destinationPartitionOf(context.plan.mapping, record.key, planned.partition, topic.destinationPartitions);
    const list = routed.byPartition.get(partition);
    if (list) list.push(record);
    else routed.byPartition.set(partition, [record]);
  }
  return routed;
}

function dispatch(context: EngineContext, lane: Lane, routed: Routed): Dispatched {
  const { action } = routed;
  const { topic, planned } = lane;
  context.ledger.countSkipped(partitionKey(topic.source, planned.partition), (action.skipped ?? 0) + routed.filteredOut);
  // Records an interrupted run wrote count as copied, just not by this run.
  const result: Dispatched = { acks: [], records: routed.alreadyWritten, bytes: 0 };
  if (action.kind === 'forward' && !action.batch.rebuilt) {
    write(context, lane, planned.destinationPartition!, action.batch.bytes, action.batch.recordCount, result, 'update');
    countWritten(context.stats, 'forwarded', action.batch.recordCount);
    return result;
  }
  if (action.kind === 'forward') {
    const { batch } = action;
    const built = builtBatch(batch.bytes, codecFor(topic, context.compression, batch.sourceCompression ?? 0));
    write(context, lane, planned.destinationPartition!, built.bytes, batch.recordCount, result);
    countWritten(context.stats, batch.joinedFrom ? 'joined' : 'filtered', batch.recordCount, built.codec, batch.joinedFrom);
    return result;
  }
  const codec = codecFor(topic, context.compression, action.compression ?? 0);
  for (const [partition, records] of routed.byPartition) {
    for (const batch of splitIntoBatches(records, topic.destinationMaxMessageBytes)) {
      const bytes = encodeRecordBatch(batch, { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false }, { crc: false });
      const built = builtBatch(bytes, codec);
      write(context, lane, partition, built.bytes, batch.length, result);
      countWritten(context.stats, 'reencoded', batch.length, built.codec);
    }
  }
  return result;
}

function write(context: EngineContext, lane: Lane, partition: number, batch: Buffer, count: number, result: Dispatched, crc: CrcMode = 'compute'): void {
  const key = partitionKey(lane.topic.destination, partition);
  // A batch whose CRC must be computed was built here; a forwarded one only gets its CRC updated.
  context.ledger.writeSent(key, { rebuilt: crc === 'compute' });
  const ack = context.producer.send(lane.topic.destination, partition, batch, count, crc).then((answer) => {
    if (answer.baseOffset < 0n) context.duplicateAcks.add(key);
    context.ledger.writeAcknowledged(key, { records: count, end: answer.baseOffset >= 0n ? answer.baseOffset + BigInt(count) : null });
  });
  result.acks.push(ack);
  result.records += count;
  result.bytes += batch.length;
}
