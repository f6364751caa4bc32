import { type EventSink, retryEvent } from '../common/events.ts';
import { KrerouteError } from '../common/errors.ts';
import type { MetricsSink } from '../common/metrics-sink.ts';
import { faultPoint } from '../common/fault-points.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { PipelinedProducer } from '../kafka/produce/pipelined-producer.ts';
import { encodeRecordBatch } from '../kafka/wire/batch/record-batch-encoder.ts';
import { TransactionalSession } from '../kafka/produce/transactional-session.ts';
import { type CopyCheckpoint, copiedBy, parseCheckpoint, partitionKey, saveCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import { checkpointKey } from '../checkpoint/checkpoint-keys.ts';
import { refuseOtherLayout } from '../shard/layout-guard.ts';
import { claimLayout } from '../shard/layout-claim.ts';
import { DestinationCheckpointStore } from '../checkpoint/destination-store.ts';
import { CheckpointLedger } from '../checkpoint/ledger.ts';
import type { Plan } from '../plan/plan.ts';
import type { Delivery } from './delivery.ts';
import { freshCheckpoint } from './fresh-checkpoint.ts';
import { TransactionPace } from './transaction-pace.ts';

export interface ExactlyOnceOptions {
  checkpointTopic: string;
  commitIntervalMs: number;
  /** The timeout wanted; the destination's transaction.max.timeout.ms may make it shorter. */
  transactionTimeoutMs: number;
  /** The copy's memory budget: bytes waiting for acknowledgement never exceed it. */
  memoryBudgetBytes: number;
  /** Told of every commit. */
  metrics?: MetricsSink;
  /** Told how much longer the destination's throttle time holds writes back, in ms. */
  onThrottle?: (heldMs: number) => void;
}

/** Derived from the plan's hash (a shard's: from the whole plan's hash and the shard, see shardPlan). */
export function transactionalIdOf(plan: Plan): string {
  return `kreroute-${plan.hash.slice(0, 32)}`;
}

/**
 * Exactly-once delivery, as Kafka's TransactionalMessageCopier does it across two clusters: a
 * transactional producer per plan (its transactional id derives from the plan hash, so a second
 * copier of the same plan fences the first), and each transaction carries the copied batches
 * together with the checkpoint record. A crash at any instant leaves the last committed
 * transaction: data and position agree, and the open transaction is aborted by the next start.
 */
export async function startExactlyOnce(
  plan: Plan,
  destination: KafkaCluster,
  stateDir: string,
  local: CopyCheckpoint | null,
  options: ExactlyOnceOptions,
  onEvent: EventSink,
): Promise<Delivery | 'complete'> {
  if (local && local.mode !== 'exactly-once' && !local.complete) {
    throw new KrerouteError('CHECKPOINT_MISMATCH', 'this plan was started in at-least-once mode', { hint: 'continue it with --mode at-least-once' });
  }
  const store = new DestinationCheckpointStore(destination, options.checkpointTopic);
  await store.ensureTopic();
  // Fence first, then read: no earlier copier can commit after this point.
  const session = await TransactionalSession.begin(destination, transactionalIdOf(plan), options.transactionTimeoutMs, (message, code) =>
    onEvent(retryEvent(message, code)),
  );
  if (session.transactionTimeoutMs < options.transactionTimeoutMs) {
    onEvent({
      type: 'info',
      message: `the destination allows transactions of at most ${session.transactionTimeoutMs} ms (transaction.max.timeout.ms): each commits within a third of that`,
    });
  }
  const key = checkpointKey(plan);
  const family = await store.loadFamily(plan.shard?.of ?? plan.hash, { onWait: (message) => onEvent({ type: 'retry', message }), waitFor: key });
  faultPoint('layout-read');
  refuseOtherLayout(plan, family.seen);
  await claimLayout(plan, destination, store, family);
  const stored = family.committed.get(key);
  const committed = stored ? parseCheckpoint(stored.toString('utf8'), `record ${key} of ${store.topic}`, plan.hash) : null;
  if (committed && committed.mode !== 'exactly-once' && !committed.complete) {
    await session.abort().catch(() => undefined);
    throw new KrerouteError('CHECKPOINT_MISMATCH', 'this plan was started in at-least-once mode (its checkpoint is on the destination)', {
      hint: 'continue it with --mode at-least-once (or --mode auto)',
    });
  }
  refuseLostCheckpoint(local, committed, store.topic);
  if (committed?.complete) {
    await saveCheckpoint(stateDir, committed);
    return 'complete';
  }
  const checkpoint = committed ?? (await freshCheckpoint(plan, destination, 'exactly-once'));
  // From here on the checkpoint changes only through the ledger.
  const ledger = new CheckpointLedger(checkpoint, plan);
  ledger.beginRun(session.identity.producerId);
  const producer = new PipelinedProducer(destination, session.identity, {
    ...session.producerOptions(),
    onRetry: (message, code) => onEvent(retryEvent(message, code)),
    ...(options.onThrottle ? { onThrottle: options.onThrottle } : {}),
  });
  const pace = new TransactionPace(session.transactionTimeoutMs, options.memoryBudgetBytes);
  let startedAt = Date.now();
  // Partitions in the open transaction: only those written since the last commit get a marker.
  const enlisted = new Set<string>();
  const enlist = (topic: string, partitions: Iterable<number>): Promise<void> | undefined => {
    // Called for every batch written: allocates only when a partition is new to the transaction.
    let joining: number[] | undefined;
    for (const p of partitions) if (!enlisted.has(partitionKey(topic, p))) (joining ??= []).push(p);
    if (!joining) return undefined;
    return session.addPartitions([{ topic, partitions: joining }]).then(() => {
      for (const p of joining) enlisted.add(partitionKey(topic, p));
    });
  };

  const commit = async (complete: boolean): Promise<void> => {
    const published = ledger.publish(complete);
    const record = store.record(key, published);
    await enlist(store.topic, [0]);
    await producer.send(store.topic, 0, encodeRecordBatch([record], { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: true }), 1);
    faultPoint('before-commit');
    const committing = performance.now();
    await session.commit();
    options.metrics?.committed((performance.now() - committing) / 1000);
    enlisted.clear();
    await saveCheckpoint(stateDir, published);
    startedAt = Date.now();
  };
  if (committed) onEvent({ type: 'info', message: 'resuming from the last committed transaction; anything written after it was aborted' });
  return {
    mode: 'exactly-once',
    producer,
    ledger,
    resumed: committed !== null,
    reconciled: 0,
    boundary: {
      due: () => Date.now() - startedAt >= options.commitIntervalMs,
      commit: () => commit(false),
      enlist,
      overdue: () => pace.overdue(session.clock.ageMs()),
      unackedLimit: () => pace.unackedLimit(producer.acknowledgedBytes, producer.throttledMs),
    },
    onChange: () => undefined,
    finish: (complete) => commit(complete),
    abandon: () => session.abort().catch(() => undefined),
  };
}

/**
 * The local mirror is saved after each commit, so it never runs ahead of the destination's
 * checkpoint. When it does, the destination lost what it held (the checkpoint topic was deleted
 * or recreated, or the copy points at another cluster with the same topics): starting over would
 * write everything again.
 */
function refuseLostCheckpoint(local: CopyCheckpoint | null, committed: CopyCheckpoint | null, topic: string): void {
  if (!local || local.mode !== 'exactly-once') return;
  if (committed && (committed.complete || !local.complete) && copiedBy(committed) >= copiedBy(local)) return;
  const held = committed ? `only ${copiedBy(committed)} record(s)${committed.complete ? '' : ', not complete'}` : 'none';
  throw new KrerouteError(
    'CHECKPOINT_MISMATCH',
    `the state folder says ${copiedBy(local)} record(s) of this plan were copied${local.complete ? ' (complete)' : ''}, but the checkpoint on the destination (${topic}) holds ${held}`,
    {
      hint: 'the destination lost its checkpoint (topic deleted or recreated?); kreroute will not copy again what may already be there: run verify to see what the destination holds',
    },
  );
}
