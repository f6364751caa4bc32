import { type EventSink } from '../common/events.ts';
import { KrerouteError, isKrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import type { PipelinedProducer } from '../kafka/produce/pipelined-producer.ts';
import { encodeRecordBatch } from '../kafka/wire/batch/record-batch-encoder.ts';
import { produceRecord } from '../kafka/produce/produce-record.ts';
import { checkpointKey } from '../checkpoint/checkpoint-keys.ts';
import { type CheckpointView, type CopyCheckpoint, copiedBy } from '../checkpoint/copy-checkpoint.ts';
import { furtherCheckpoint, publishedIsFurther } from '../checkpoint/further-checkpoint.ts';
import { DEFAULT_CHECKPOINT_TOPIC, DestinationCheckpointStore } from '../checkpoint/destination-store.ts';
import type { Plan } from '../plan/plan.ts';

/**
 * An at-least-once copy's checkpoint, published on the destination's checkpoint topic after each
 * local save: status, verify and purge read it from any machine, and a shard resumed on another
 * machine (a rescheduled pod) starts from it instead of from zero.
 */
export interface CheckpointMirror {
  readonly store: DestinationCheckpointStore;
  publish(producer: PipelinedProducer, checkpoint: CheckpointView): Promise<void>;
  /** Publishes with a producer of its own (no copy runs). */
  publishAlone(checkpoint: CheckpointView): Promise<void>;
}

/**
 * The mirror, or null where the destination does not let kreroute keep one: then a whole-plan copy
 * goes on with its local checkpoint alone, but a shard refuses, since its local folder may not
 * survive a restart elsewhere.
 */
export async function openMirror(plan: Plan, destination: KafkaCluster, topic: string | undefined, onEvent: EventSink): Promise<CheckpointMirror | null> {
  const store = new DestinationCheckpointStore(destination, topic ?? DEFAULT_CHECKPOINT_TOPIC);
  try {
    await store.ensureTopic();
  } catch (error) {
    if (!isKrerouteError(error) || !['NOT_AUTHORIZED', 'KAFKA'].includes(error.code)) throw error;
    if (plan.shard) {
      throw new KrerouteError(
        error.code,
        `a shard keeps its checkpoint on the destination, and the checkpoint topic ${store.topic} cannot be used: ${error.message}`,
        {
          hint: `allow this login to create and write topic ${store.topic} (or give --checkpoint-topic), or copy the plan whole`,
        },
      );
    }
    onEvent({ type: 'warning', message: `the checkpoint cannot be kept on the destination (${error.message}); only this state folder holds it` });
    return null;
  }
  const key = checkpointKey(plan);
  return {
    store,
    async publish(producer, checkpoint) {
      const batch = encodeRecordBatch([store.record(key, { ...checkpoint, updatedAt: new Date().toISOString() })], {
        producerId: -1n,
        producerEpoch: -1,
        baseSequence: -1,
        transactional: false,
      });
      await producer.send(store.topic, 0, batch, 1);
    },
    async publishAlone(checkpoint) {
      await produceRecord(destination, store.topic, 0, store.record(key, checkpoint));
    },
  };
}

/** The further of the two checkpoints (see furtherCheckpoint), telling the user when the destination's was ahead. */
export function newest(local: CopyCheckpoint | null, published: CopyCheckpoint | null, onEvent: EventSink): CopyCheckpoint | null {
  if (local && published && publishedIsFurther(local, published))
    onEvent({
      type: 'info',
      message: `the state folder is behind the checkpoint on the destination (${copiedBy(local)} against ${copiedBy(published)} record(s) copied; another machine ran this copy since): resuming from the destination's`,
    });
  return furtherCheckpoint(local, published);
}
