import { addPartitionsToTxnV3, endTxnV3, findCoordinatorV4, initProducerIdV4, type Connection } from '@platformatic/kafka';
import { KrerouteError } from '../errors.ts';
import type { KafkaCluster } from './cluster.ts';
import { protocolErrorIds, toKrerouteError } from './errors.ts';
import type { ProducerIdentity } from './producer-id.ts';
import { type RetryPolicy, DEFAULT_RETRY, withRetry } from './retry.ts';
import { withWaitNotice } from './wait-notice.ts';

const TRANSACTION_COORDINATOR = 1;
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/**
 * A transactional identity on the destination, driven with the classic transaction protocol
 * (FindCoordinator, InitProducerId, AddPartitionsToTxn, EndTxn) because the client library's
 * Transaction only takes decoded messages. Beginning a session with a transactional id fences any
 * earlier holder of it: its open transaction is aborted and its next write is refused.
 */
export class TransactionalSession {
  readonly transactionalId: string;
  readonly #cluster: KafkaCluster;
  readonly #retry: RetryPolicy;
  readonly #onNotice: ((message: string) => void) | undefined;
  #identity: ProducerIdentity;
  #coordinator: Connection | undefined;

  private constructor(cluster: KafkaCluster, transactionalId: string, identity: ProducerIdentity, retry: RetryPolicy, onNotice: ((message: string) => void) | undefined) {
    this.#cluster = cluster;
    this.transactionalId = transactionalId;
    this.#identity = identity;
    this.#retry = retry;
    this.#onNotice = onNotice;
  }

  /** `onNotice` hears of retries and of a coordinator that is slow to answer. */
  static async begin(cluster: KafkaCluster, transactionalId: string, transactionTimeoutMs: number, onNotice?: (message: string) => void): Promise<TransactionalSession> {
    const retry: RetryPolicy = {
      ...DEFAULT_RETRY,
      // The previous transaction's markers are still being written (right after a commit, or after
      // InitProducerId aborted an open one): Kafka's producer, too, retries these after 20 ms.
      isQuick: (error) => protocolErrorIds(error).includes('CONCURRENT_TRANSACTIONS'),
      ...(onNotice ? { onRetry: (error: unknown, attempt: number, delayMs: number) => onNotice(`the transaction coordinator on ${cluster.label} failed (${[...new Set(protocolErrorIds(error))].join(', ') || (error as Error).message}); retry ${attempt} in ${delayMs} ms`) } : {}),
    };
    const session = new TransactionalSession(cluster, transactionalId, { producerId: -1n, producerEpoch: -1 }, retry, onNotice);
    const response = await session.#withCoordinator('initialising the transactional producer', (connection) =>
      initProducerIdV4.api.async(connection, transactionalId, transactionTimeoutMs, -1n, -1),
    );
    session.#identity = { producerId: response.producerId, producerEpoch: response.producerEpoch };
    return session;
  }

  get identity(): ProducerIdentity {
    return this.#identity;
  }

  /** Registers partitions with the current transaction (before anything is written to them). */
  async addPartitions(partitions: TopicPartitions[]): Promise<void> {
    await this.#withCoordinator('adding partitions to the transaction', (connection) =>
      addPartitionsToTxnV3.api.async(connection, [
        { transactionalId: this.transactionalId, ...this.#identity, verifyOnly: false, topics: partitions.map((p) => ({ name: p.topic, partitions: p.partitions })) },
      ]),
    );
  }

  async commit(): Promise<void> {
    await this.#end(true);
  }

  async abort(): Promise<void> {
    await this.#end(false);
  }

  async #end(commit: boolean): Promise<void> {
    await this.#withCoordinator(commit ? 'committing the transaction' : 'aborting the transaction', (connection) =>
      endTxnV3.api.async(connection, this.transactionalId, this.#identity.producerId, this.#identity.producerEpoch, commit),
    );
  }

  async #coordinatorConnection(): Promise<Connection> {
    if (this.#coordinator) return this.#coordinator;
    const response = await findCoordinatorV4.api.async(await this.#cluster.anyConnection(), TRANSACTION_COORDINATOR, [this.transactionalId]);
    const found = response.coordinators[0];
    if (!found || found.errorCode !== 0 || found.nodeId < 0) throw Object.assign(new Error('no transaction coordinator yet'), { apiId: 'COORDINATOR_NOT_AVAILABLE' });
    this.#coordinator = await this.#cluster.brokerConnection(found.nodeId);
    return this.#coordinator;
  }

  async #withCoordinator<T>(what: string, op: (connection: Connection) => Promise<T>): Promise<T> {
    try {
      return await withRetry(async () => {
        try {
          return await withWaitNotice(op(await this.#coordinatorConnection()), (waited) =>
            this.#onNotice?.(`waiting for ${this.#cluster.label}: ${what} has had no answer for ${Math.round(waited / 1000)} s`),
          );
        } catch (error) {
          const ids = protocolErrorIds(error);
          // No protocol error at all: the connection broke (a broker restart); connect again.
          if (ids.length === 0 || ids.some((id) => COORDINATOR_MOVED.has(id))) this.#coordinator = undefined;
          throw error;
        }
      }, this.#retry);
    } catch (error) {
      throw toKrerouteError(error, `${what} on ${this.#cluster.label}`);
    }
  }
}
