import { type EventSink, retryEvent } from '../common/events.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { PipelinedProducer } from '../kafka/produce/pipelined-producer.ts';
import { initProducerId } from '../kafka/client/producer-id.ts';
import { KrerouteError } from '../common/errors.ts';
import { faultPoint } from '../common/fault-points.ts';
import { loadCheckpoint, parseCheckpoint, saveCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import { CheckpointLedger } from '../checkpoint/ledger.ts';
import { lockStateDir } from '../checkpoint/state-lock.ts';
import type { Plan } from '../plan/plan.ts';
import type { RecordFilter } from '../plan/filter/record-filter.ts';
import type { Delivery } from './delivery.ts';
import { type CheckpointMirror, newest, openMirror } from './checkpoint-mirror.ts';
import { checkpointKey } from '../checkpoint/checkpoint-keys.ts';
import { refuseOtherLayout } from '../shard/layout-guard.ts';
import { claimLayout } from '../shard/layout-claim.ts';
import { freshCheckpoint } from './fresh-checkpoint.ts';
import { reconcile } from './reconcile.ts';

/**
 * At-least-once delivery with an idempotent producer and a local checkpoint file, saved only where
 * every write is acknowledged. After a crash, records the interrupted run wrote past its last
 * checkpoint are found by producer id and content and not written again (see reconcile); the
 * window left is a produce request the broker received but had not appended when the resume asked.
 */
/** `onThrottle`: told how much longer the destination's throttle time holds writes back, in ms. */
export async function startAtLeastOnce(
  plan: Plan,
  source: KafkaCluster,
  destination: KafkaCluster,
  stateDir: string,
  filter: RecordFilter,
  onEvent: EventSink,
  intervalMs = 1000,
  checkpointTopic?: string,
  onThrottle?: (heldMs: number) => void,
): Promise<Delivery | 'complete'> {
  const unlock = await lockStateDir(stateDir);
  try {
    const mirror = await openMirror(plan, destination, checkpointTopic, onEvent);
    return await start(plan, source, destination, stateDir, filter, onEvent, unlock, intervalMs, mirror, onThrottle);
  } catch (error) {
    await unlock();
    throw error;
  }
}

async function start(
  plan: Plan,
  source: KafkaCluster,
  destination: KafkaCluster,
  stateDir: string,
  filter: RecordFilter,
  onEvent: EventSink,
  unlock: () => Promise<void>,
  intervalMs: number,
  mirror: CheckpointMirror | null,
  onThrottle: ((heldMs: number) => void) | undefined,
): Promise<Delivery | 'complete'> {
  const local = await loadCheckpoint(stateDir, plan.hash);
  const family = mirror
    ? await mirror.store.loadFamily(plan.shard?.of ?? plan.hash, { onWait: (message) => onEvent({ type: 'retry', message }), waitFor: checkpointKey(plan) })
    : null;
  if (family) {
    faultPoint('layout-read');
    refuseOtherLayout(plan, family.seen);
    await claimLayout(plan, destination, mirror!.store, family);
  }
  const stored = family?.committed.get(checkpointKey(plan));
  const onDestination = stored ? parseCheckpoint(stored.toString('utf8'), `record ${checkpointKey(plan)} of ${mirror!.store.topic}`, plan.hash) : null;
  if (!local && onDestination?.mode === 'exactly-once' && !onDestination.complete) {
    // Its last transaction may still be open; writing beside it would hide our records from
    // read_committed readers until it times out, and start the copy over.
    throw new KrerouteError('CHECKPOINT_MISMATCH', 'this plan was started in exactly-once mode (its checkpoint is on the destination)', {
      hint: 'continue it with --mode exactly-once (or --mode auto)',
    });
  }
  const existing = newest(local, onDestination?.mode === 'at-least-once' || onDestination?.complete ? onDestination : null, onEvent);
  if (existing?.complete) {
    // Killed between saving its last checkpoint here and publishing it: the destination still
    // shows the copy unfinished, to status, verify and every other machine. Publish it now.
    if (mirror && !onDestination?.complete) await mirror.publishAlone(existing);
    await unlock();
    return 'complete';
  }
  if (existing && existing.mode !== 'at-least-once') {
    throw new KrerouteError('CHECKPOINT_MISMATCH', 'this plan was started in exactly-once mode', { hint: 'continue it with --mode exactly-once' });
  }
  const checkpoint = existing ?? (await freshCheckpoint(plan, destination, 'at-least-once'));
  const previous = new Set(checkpoint.producerIds.map(BigInt));
  const reconciled = await reconcile({
    plan,
    source,
    destination,
    checkpoint,
    filter,
    previousProducerIds: previous,
    onProgress: (message) => onEvent({ type: 'info', message }),
  });
  if (reconciled > 0)
    onEvent({ type: 'info', message: `${reconciled} record(s) written by the interrupted run after its last checkpoint will not be written again` });
  const producer = new PipelinedProducer(destination, await initProducerId(destination), {
    onRetry: (message, code) => onEvent(retryEvent(message, code)),
    ...(onThrottle ? { onThrottle } : {}),
  });
  // Reconciled: from here on the checkpoint changes only through the ledger.
  const ledger = new CheckpointLedger(checkpoint, plan);
  ledger.beginRun(producer.identity.producerId);
  // Our producer id is on disk (and on the destination) before our first write, so a resume on
  // this machine or another can recognise our writes.
  await saveCheckpoint(stateDir, ledger.view);
  await mirror?.publish(producer, ledger.view);
  let savedAt = Date.now();
  // Called with every write acknowledged: what this run wrote to each partition is exactly known,
  // so a resume can tell whether all of it is visible yet (see reconcile).
  const saveSettled = async (): Promise<void> => {
    const settled = ledger.settle(producer.identity.producerId, (topic, partition) => producer.recordsSentTo(topic, partition));
    await saveCheckpoint(stateDir, settled);
    if (settled.complete) faultPoint('complete-saved-locally');
    await mirror?.publish(producer, settled);
  };
  return {
    mode: 'at-least-once',
    producer,
    ledger,
    resumed: existing !== null,
    reconciled,
    // The checkpoint is saved only where every write so far is acknowledged, so its source
    // positions and destination ends agree: past the ends lies only what later, unsaved steps
    // wrote, which is what reconcile matches. Saved between such points, a partly written step
    // would move a destination end past records whose source position did not move.
    boundary: {
      due: () => Date.now() - savedAt >= intervalMs,
      commit: async () => {
        await saveSettled();
        savedAt = Date.now();
      },
      enlist: () => undefined,
      // No transaction to keep short: a checkpoint is saved whenever every write is acknowledged.
      overdue: () => false,
      unackedLimit: () => Infinity,
    },
    onChange: () => undefined,
    finish: async (complete) => {
      ledger.publish(complete);
      await saveSettled();
      await unlock();
    },
    // After a failed write the checkpoint in memory may hold half-written steps: the last saved one stays.
    abandon: unlock,
  };
}
