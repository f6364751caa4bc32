import { addPartitionsToTxnV3, describeConfigsV4, endTxnV3, findCoordinatorV4, initProducerIdV4, type Connection } from '@platformatic/kafka';
import type { KafkaCluster } from '../client/cluster.ts';
import { libraryApiVersions, requireApiVersion } from '../net/api-versions.ts';
import { isKrerouteError } from '../../common/errors.ts';
import { isRetriableKafkaError, protocolErrorIds, toKrerouteError } from '../client/errors.ts';
import type { PipelineOptions } from './pipelined-producer.ts';
import type { ProducerIdentity } from '../client/producer-id.ts';
import { type RetryPolicy, clusterRetry, retryCode, withRetry } from '../client/retry.ts';
import { transactionFailure } from './transaction-errors.ts';
import { type TransactionClock, chooseTransactionTimeoutMs, inTransactionRetryDeadlineMs } from './transaction-timing.ts';
import { waitTimedOut, withWaitNotice } from '../net/wait-notice.ts';
import { COORDINATOR_NOT_THERE, CoordinatorWait } from './coordinator-wait.ts';

const TRANSACTION_COORDINATOR = 1;
/** The versions this session sends: api key → version. */
const COORDINATOR_APIS: Array<[number, number]> = [
  [22, 4], // InitProducerId
  [24, 3], // AddPartitionsToTxn
  [26, 3], // EndTxn
];
const FIND_COORDINATOR: [number, number] = [10, 4];
const DESCRIBE_CONFIGS: [number, number] = [32, 4];
const BROKER_RESOURCE = 4;
const MAX_TIMEOUT_CONFIG = 'transaction.max.timeout.ms';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** What a session needs of a cluster: a live broker, and a broker by id. */
export type SessionCluster = Pick<KafkaCluster, 'label' | 'anyConnection' | 'brokerConnection'> & { settings?: KafkaCluster['settings'] };

/**
 * A transactional identity on the destination, driven with the classic transaction protocol
 * (FindCoordinator, InitProducerId, AddPartitionsToTxn, EndTxn) because the client library's
 * Transaction only takes decoded messages. Beginning a session with a transactional id fences any
 * earlier holder of it: its open transaction is aborted and its next write is refused.
 */
export class TransactionalSession {
  readonly transactionalId: string;
  #timeoutMs: number;
  readonly #cluster: SessionCluster;
  readonly #retry: RetryPolicy;
  readonly #onNotice: ((message: string, code?: string) => void) | undefined;
  /** Until begin() has its producer id: a coordinator not there yet is start-up, told as a wait. */
  #starting = true;
  readonly #coordinatorWait: CoordinatorWait;
  #identity: ProducerIdentity;
  #coordinator: Connection | undefined;
  #coordinatorId: number | undefined;
  /** Whether the coordinator takes DescribeConfigs v4 (asked with its other API versions). */
  #describesConfigs = false;
  /** When the open transaction began (its first AddPartitionsToTxn); undefined between transactions. */
  #startedAt: number | undefined;

  private constructor(
    cluster: SessionCluster,
    transactionalId: string,
    transactionTimeoutMs: number,
    onNotice: ((message: string, code?: string) => void) | undefined,
  ) {
    this.#cluster = cluster;
    this.transactionalId = transactionalId;
    this.#timeoutMs = transactionTimeoutMs;
    this.#identity = { producerId: -1n, producerEpoch: -1 };
    this.#onNotice = onNotice;
    this.#coordinatorWait = new CoordinatorWait(cluster.label, (message) => onNotice?.(message));
    this.#retry = {
      ...clusterRetry(cluster.settings),
      // The previous transaction's markers are still being written (right after a commit, or after
      // InitProducerId aborted an open one): Kafka's producer, too, retries these after 20 ms.
      isQuick: (error) => protocolErrorIds(error).includes('CONCURRENT_TRANSACTIONS'),
      onRetry: (error, attempt, delayMs) => this.#retried(error, attempt, delayMs),
    };
  }

  /**
   * `onNotice` hears of retries (with the error's code), of a coordinator that is slow to answer,
   * and (without a code) of waiting for a coordinator that is not there yet while the session
   * begins. `transactionTimeoutMs` is the timeout wanted; the coordinator's
   * transaction.max.timeout.ms caps it (InitProducerId refuses more).
   */
  static async begin(
    cluster: SessionCluster,
    transactionalId: string,
    transactionTimeoutMs: number,
    onNotice?: (message: string, code?: string) => void,
  ): Promise<TransactionalSession> {
    const session = new TransactionalSession(cluster, transactionalId, transactionTimeoutMs, onNotice);
    const brokerMaxMs = await session.#withCoordinator("reading the coordinator's transaction.max.timeout.ms", (connection) =>
      session.#maxTimeoutMs(connection),
    );
    session.#timeoutMs = chooseTransactionTimeoutMs(brokerMaxMs, transactionTimeoutMs);
    const response = await session.#withCoordinator('initialising the transactional producer', (connection) =>
      initProducerIdV4.api.async(connection, transactionalId, session.transactionTimeoutMs, -1n, -1),
    );
    session.#identity = { producerId: response.producerId, producerEpoch: response.producerEpoch };
    session.#starting = false;
    return session;
  }

  #retried(error: unknown, attempt: number, delayMs: number): void {
    if (!this.#onNotice) return;
    const ids = protocolErrorIds(error);
    if (this.#starting && CoordinatorWait.isNotThere(ids)) {
      this.#coordinatorWait.answered(ids);
      return;
    }
    this.#onNotice(
      `the transaction coordinator on ${this.#cluster.label} failed (${[...new Set(ids)].join(', ') || (error as Error).message}); retry ${attempt} in ${delayMs} ms`,
      retryCode(error),
    );
  }

  get identity(): ProducerIdentity {
    return this.#identity;
  }

  /** The timeout asked for: the one wanted, or the coordinator's transaction.max.timeout.ms when that is less. */
  get transactionTimeoutMs(): number {
    return this.#timeoutMs;
  }

  /** The age of the open transaction (0 between transactions) and its timeout. */
  get clock(): TransactionClock {
    return { ageMs: () => (this.#startedAt === undefined ? 0 : Date.now() - this.#startedAt), timeoutMs: this.transactionTimeoutMs };
  }

  /**
   * Options for the PipelinedProducer that writes this session's transactions: its writes are
   * retried only while the transaction can still commit, and a fenced write is told apart from
   * one the coordinator aborted on timeout.
   */
  producerOptions(): Pick<PipelineOptions, 'transactionalId' | 'retryDeadlineMs' | 'transaction'> {
    return { transactionalId: this.transactionalId, retryDeadlineMs: inTransactionRetryDeadlineMs(this.transactionTimeoutMs), transaction: this.clock };
  }

  /** Registers partitions with the current transaction (before anything is written to them). */
  async addPartitions(partitions: TopicPartitions[]): Promise<void> {
    this.#startedAt ??= Date.now();
    await this.#withCoordinator('adding partitions to the transaction', (connection) =>
      addPartitionsToTxnV3.api.async(connection, [
        {
          transactionalId: this.transactionalId,
          ...this.#identity,
          verifyOnly: false,
          topics: partitions.map((p) => ({ name: p.topic, partitions: p.partitions })),
        },
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
    this.#startedAt = undefined;
  }

  /** The coordinator's transaction.max.timeout.ms; null when it cannot be read (no DESCRIBE_CONFIGS on the cluster). */
  async #maxTimeoutMs(connection: Connection): Promise<number | null> {
    if (!this.#describesConfigs) return null;
    try {
      const response = await describeConfigsV4.api.async(
        connection,
        [{ resourceType: BROKER_RESOURCE, resourceName: String(this.#coordinatorId), configurationKeys: [MAX_TIMEOUT_CONFIG] }],
        false,
        false,
      );
      const value = response.results[0]?.configs.find((c) => c.name === MAX_TIMEOUT_CONFIG)?.value;
      const ms = value === null || value === undefined ? NaN : Number(value);
      return Number.isFinite(ms) && ms > 0 ? ms : null;
    } catch (error) {
      // The coordinator moved or the connection broke: retried as any coordinator request. Refused: unknown.
      const ids = protocolErrorIds(error);
      if (ids.length === 0 || ids.some((id) => COORDINATOR_NOT_THERE.has(id))) throw error;
      return null;
    }
  }

  async #coordinatorConnection(): Promise<Connection> {
    if (this.#coordinator) return this.#coordinator;
    const any = await this.#cluster.anyConnection();
    requireApiVersion(await libraryApiVersions(any), ...FIND_COORDINATOR, `of ${this.#cluster.label}`);
    const response = await findCoordinatorV4.api.async(any, TRANSACTION_COORDINATOR, [this.transactionalId]);
    const found = response.coordinators[0];
    if (!found || found.errorCode !== 0 || found.nodeId < 0)
      throw Object.assign(new Error('no transaction coordinator yet'), { apiId: 'COORDINATOR_NOT_AVAILABLE' });
    const coordinator = await this.#cluster.brokerConnection(found.nodeId);
    const versions = await libraryApiVersions(coordinator);
    for (const [apiKey, version] of COORDINATOR_APIS) requireApiVersion(versions, apiKey, version, `${found.nodeId} of ${this.#cluster.label}`);
    this.#coordinator = coordinator;
    this.#coordinatorId = found.nodeId;
    const describe = versions.get(DESCRIBE_CONFIGS[0]);
    this.#describesConfigs = describe !== undefined && describe.minVersion <= DESCRIBE_CONFIGS[1] && DESCRIBE_CONFIGS[1] <= describe.maxVersion;
    return coordinator;
  }

  async #withCoordinator<T>(what: string, op: (connection: Connection) => Promise<T>): Promise<T> {
    // Inside a transaction, retrying past its timeout cannot succeed: the coordinator aborts it.
    const retry = this.#startedAt === undefined ? this.#retry : { ...this.#retry, deadlineMs: inTransactionRetryDeadlineMs(this.transactionTimeoutMs) };
    const began = Date.now();
    try {
      return await withRetry(async () => {
        try {
          return await withWaitNotice(op(await this.#coordinatorConnection()), (waited) =>
            this.#onNotice?.(`waiting for ${this.#cluster.label}: ${what} has had no answer for ${Math.round(waited / 1000)} s`),
          );
        } catch (error) {
          const ids = protocolErrorIds(error);
          // No protocol error at all: the connection broke (a broker restart); connect again.
          if (ids.length === 0 || ids.some((id) => COORDINATOR_NOT_THERE.has(id))) this.#coordinator = undefined;
          throw error;
        }
      }, retry);
    } catch (error) {
      const context = `${what} on ${this.#cluster.label}`;
      const failure = transactionFailure(error, context, this.#startedAt === undefined ? undefined : this.clock);
      if (failure) throw failure;
      // Outside a transaction, a retriable error that outlasted the deadline is a coordinator that does not come (still loading, not elected).
      if (this.#startedAt === undefined && isRetriableKafkaError(error) && !isKrerouteError(error)) {
        const ids = [...new Set(protocolErrorIds(error))].join(', ') || (error as Error).message;
        throw waitTimedOut(`the transaction coordinator on ${this.#cluster.label} (${ids}) while ${what}`, Date.now() - began, error);
      }
      throw toKrerouteError(error, context);
    }
  }
}
