import { initProducerIdV4 } from '@platformatic/kafka';
import { KrerouteError } from '../errors.ts';
import type { KafkaCluster } from './cluster.ts';
import { protocolErrorIds, toKrerouteError } from './errors.ts';
import { rawProduceV9 } from './produce-request.ts';
import type { RecordContent } from './record.ts';
import { encodeRecordBatch } from './record-batch-encoder.ts';
import { type RetryPolicy, DEFAULT_RETRY, withRetry } from './retry.ts';

export interface ProducerIdentity {
  producerId: bigint;
  producerEpoch: number;
}

export interface ProduceAck {
  /** Offset of the batch's first record on the destination. */
  baseOffset: bigint;
}

const FATAL_FOR_THIS_PRODUCER = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);
const STALE_LEADER = new Set(['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH', 'UNKNOWN_TOPIC_OR_PARTITION']);

/**
 * An idempotent producer (acks=all) for batches we encode: a retried batch keeps its sequence
 * number, so the broker drops a retry that was already written. One batch in flight per partition
 * keeps order without depending on the broker's five-batch window.
 */
export class IdempotentProducer {
  readonly #cluster: KafkaCluster;
  readonly #identity: ProducerIdentity;
  readonly #sequences = new Map<string, number>();
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #retry: RetryPolicy;

  private constructor(cluster: KafkaCluster, identity: ProducerIdentity, retry: RetryPolicy) {
    this.#cluster = cluster;
    this.#identity = identity;
    this.#retry = retry;
  }

  static async create(cluster: KafkaCluster, retry: RetryPolicy = DEFAULT_RETRY): Promise<IdempotentProducer> {
    const response = await withRetry(async () => initProducerIdV4.api.async(await cluster.anyConnection(), null, 60_000, -1n, -1), retry).catch(
      (error: unknown) => {
        throw toKrerouteError(error, `getting a producer id from ${cluster.label}`);
      },
    );
    return new IdempotentProducer(cluster, { producerId: response.producerId, producerEpoch: response.producerEpoch }, retry);
  }

  get identity(): ProducerIdentity {
    return this.#identity;
  }

  /** Appends records to a partition as one batch; resolves once all replicas have it. */
  send(topic: string, partition: number, records: RecordContent[]): Promise<ProduceAck> {
    const key = `${topic}\u0000${partition}`;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#sendInOrder(key, topic, partition, records));
    this.#tails.set(key, next.catch(() => undefined));
    return next;
  }

  async #sendInOrder(key: string, topic: string, partition: number, records: RecordContent[]): Promise<ProduceAck> {
    const baseSequence = this.#sequences.get(key) ?? 0;
    const batch = encodeRecordBatch(records, { ...this.#identity, baseSequence, transactional: false });
    let refresh = false;
    const ack = await withRetry(async () => {
      const { connection } = await this.#cluster.leaderConnection(topic, partition, refresh);
      try {
        const response = await rawProduceV9.async(connection, null, -1, 30_000, topic, [{ partition, batch }]);
        const answer = response.responses[0]?.partitionResponses[0];
        if (!answer) throw new KrerouteError('KAFKA', `no produce answer for ${topic}[${partition}]`);
        return { baseOffset: answer.baseOffset };
      } catch (error) {
        const ids = protocolErrorIds(error);
        if (ids.includes('DUPLICATE_SEQUENCE_NUMBER')) return { baseOffset: -1n };
        if (ids.some((id) => FATAL_FOR_THIS_PRODUCER.has(id))) {
          throw new KrerouteError('COPY_FAILED', `the destination refused our producer's sequence for ${topic}[${partition}] (${ids.join(', ')})`, {
            hint: 'run the same command again: it resumes from the checkpoint and reconciles what was written',
            cause: error,
          });
        }
        if (ids.some((id) => STALE_LEADER.has(id))) refresh = true;
        throw error;
      }
    }, this.#retry).catch((error: unknown) => {
      throw toKrerouteError(error, `writing to ${topic}[${partition}] on ${this.#cluster.label}`);
    });
    this.#sequences.set(key, (baseSequence + records.length) % 0x80000000);
    return ack;
  }
}
