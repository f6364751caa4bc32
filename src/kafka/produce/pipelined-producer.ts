import { setTimeout as sleep } from 'node:timers/promises';
import { protocolErrorsCodesById } from '@platformatic/kafka';
import { KrerouteError, isKrerouteError } from '../../common/errors.ts';
import { type CrcMode, stampBatch } from '../wire/batch/batch-stamp.ts';
import type { KafkaCluster } from '../client/cluster.ts';
import { compareSequences, nextSequence } from './sequence.ts';
import { transactionFailure } from './transaction-errors.ts';
import { type TransactionClock, TRANSACTION_TIMEOUT_MS, inTransactionRetryDeadlineMs } from './transaction-timing.ts';
import { RETRIABLE_ERRORS, STALE_LEADER_ERRORS, toKrerouteError } from '../client/errors.ts';
import { Backoff, retryCode } from '../client/retry.ts';
import type { ProducerIdentity } from '../client/producer-id.ts';
import { WAIT_NOTICE_MS } from '../net/wait-notice.ts';
import type { ProduceResponse, RawTopicBatches } from '../wire/produce-request.ts';
import { type DataLink, type LinkCluster, DataLinks } from '../net/data-links.ts';

export interface ProduceAck {
  /** Destination offset of the batch's first record; -1 when the broker reported a duplicate. */
  baseOffset: bigint;
}

export interface PipelineOptions {
  /** Batches of one partition in flight at once; Kafka keeps order for up to 5 with idempotence. */
  maxInFlightPerPartition: number;
  maxRequestBytes: number;
  /** Produce connections to each broker (partitions spread over them). */
  connectionsPerBroker: number;
  /**
   * Give up on a batch that keeps failing for this long. Default: 120 s, and for a transactional
   * producer less than the transaction timeout (see inTransactionRetryDeadlineMs).
   */
  retryDeadlineMs: number;
  transactionalId: string | null;
  /** The open transaction's age and timeout (TransactionalSession.clock): tells a fence from an abort on timeout. */
  transaction?: TransactionClock;
  /** `code`: the error a write is retried after (none for a notice that a broker is slow to answer). */
  onRetry?: (message: string, code?: string) => void;
  /** Told how much longer the destination's throttle time (a quota) holds our writes back, in ms. */
  onThrottle?: (heldMs: number) => void;
}

/** What the producer needs of a cluster: its name, partition leaders and connections. */
export type ProducerCluster = LinkCluster & Pick<KafkaCluster, 'label' | 'settings'>;

const DEFAULTS = { maxInFlightPerPartition: 5, maxRequestBytes: 16 * 1024 * 1024, connectionsPerBroker: 2, transactionalId: null } as const;
const RETRY_DEADLINE_MS = 120_000;

/** The retry deadline of a producer with these options: inside a transaction, shorter than the transaction timeout. */
export function retryDeadlineOf(options: Partial<PipelineOptions>): number {
  const transactional = options.transactionalId !== undefined && options.transactionalId !== null;
  const deadline = options.retryDeadlineMs ?? RETRY_DEADLINE_MS;
  return transactional ? Math.min(deadline, inTransactionRetryDeadlineMs(options.transaction?.timeoutMs ?? TRANSACTION_TIMEOUT_MS)) : deadline;
}

interface Item {
  state: PartitionState;

  batch: Buffer;
  sequence: number;
  firstTry: number;
  /** When the current attempt went out (0: not sent). */
  sentAt: number;
  /** Out-of-order answers while this batch was the oldest unacknowledged one. */
  outOfOrderAlone: number;
  resolve: (ack: ProduceAck) => void;
  reject: (error: unknown) => void;
}

interface PartitionState {
  topic: string;
  partition: number;
  queue: Item[];
  inFlight: Set<Item>;
  retry: Item[];
  stalled: boolean;
  /**
   * One batch at a time until one succeeds: after a failure, and at the start. A broker that has no
   * state for our producer on a partition accepts any first sequence, so if a pipelined first batch
   * failed and the next one landed, the first could never follow: the gap would be permanent.
   */
  careful: boolean;
  nextSequence: number;
  link: DataLink | undefined;
  resolving: boolean;
  /** Waits before resending after failures; reset by a success. */
  backoff: Backoff;
  /** The error of the first batch that failed since the partition stalled. */
  stallCause: string | undefined;
}

/** A waiting write counts as held back by the destination's quota this long after its last throttle time. */
const THROTTLE_NOTICE_MS = 11_000;
/** When any producer of ours last heard a throttle time from a cluster. */
const clusterThrottledAt = new WeakMap<object, number>();
/** As the Java producer (retry.backoff.ms, retry.backoff.max.ms): most failures (a new leader, a topic just created) clear within 100 ms. */
const RETRY_BACKOFF_MS = 100;
const RETRY_BACKOFF_MAX_MS = 1000;
/**
 * Seen only in exactly-once copies, on a partition's first write of a transaction just after the
 * last one was committed (never at least once, on a single-node destination): most likely the
 * broker's check with the transaction coordinator (KIP-890), which older produce versions hear
 * as NOT_ENOUGH_REPLICAS while the coordinator still finishes the last commit. It clears in
 * milliseconds: a quick failure to Backoff.
 */
const TRANSACTION_START_ERROR = 'NOT_ENOUGH_REPLICAS';

/**
 * An idempotent producer for ready-made record batches: it stamps each batch with our producer id,
 * epoch and the partition's next sequence, keeps up to five batches of a partition in flight, and
 * puts one batch of each partition of a broker into every produce request. When a batch fails
 * transiently, the partition stalls until its in-flight batches return, then resends the failed
 * ones in sequence order one at a time (the broker drops any it already has), then pipelines again —
 * the recovery Kafka's own producer performs.
 */
export class PipelinedProducer {
  readonly #cluster: ProducerCluster;
  readonly #identity: ProducerIdentity;
  readonly #options: PipelineOptions;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #links: DataLinks;
  #buffered = 0;
  #acknowledged = 0;
  #failure: unknown;
  #pumping = false;
  #closed = false;
  #pumpAgain = false;
  readonly #spaceWaiters: Array<{ limit: number; resolve: () => void }> = [];
  #watchdog: NodeJS.Timeout | undefined;
  /** When the destination last asked us to slow down (a throttle time). */
  #throttledAt = -Infinity;

  constructor(cluster: ProducerCluster, identity: ProducerIdentity, options: Partial<PipelineOptions> = {}) {
    this.#cluster = cluster;
    this.#identity = identity;
    this.#options = { ...DEFAULTS, ...options, retryDeadlineMs: retryDeadlineOf(options) };
    this.#links = new DataLinks(cluster, this.#options.connectionsPerBroker, undefined, (heldMs) => {
      this.#throttledAt = Date.now();
      clusterThrottledAt.set(cluster, this.#throttledAt);
      this.#options.onThrottle?.(heldMs);
    });
  }

  /**
   * A broker that stops answering gives no error until the request times out; meanwhile, say every
   * few seconds which write has been waiting how long.
   */
  #watch(): void {
    if (this.#watchdog || !this.#options.onRetry) return;
    let lastNotice = 0;
    this.#watchdog = setInterval(() => {
      let oldest: Item | undefined;
      for (const state of this.#partitions.values()) for (const item of state.inFlight) if (!oldest || item.sentAt < oldest.sentAt) oldest = item;
      const now = Date.now();
      if (!oldest || now - oldest.sentAt < WAIT_NOTICE_MS || now - lastNotice < WAIT_NOTICE_MS) return;
      lastNotice = now;
      const what = `a write to ${oldest.state.topic}[${oldest.state.partition}]`;
      const waited = Math.round((now - oldest.sentAt) / 1000);
      // Held back by the broker's throttle times (its quota), not unanswered: throttled lately, or
      // the write went out around a throttled answer (the broker then mutes the connection for the
      // throttle time, which can be most of its quota window, before it reads the write).
      // A quota is the client's, not one connection's: another producer of ours (the checkpoint
      // writes) may have been throttled while this one's connection was muted.
      const throttledAt = Math.max(this.#throttledAt, clusterThrottledAt.get(this.#cluster) ?? -Infinity);
      const heldByQuota = now - throttledAt < THROTTLE_NOTICE_MS || Math.abs(oldest.sentAt - throttledAt) < THROTTLE_NOTICE_MS;
      const message = heldByQuota
        ? `waiting for ${this.#cluster.label}: its quota throttles our writes (held back ${Math.round(this.throttledMs / 1000)} s so far); ${what} has waited ${waited} s`
        : `waiting for ${this.#cluster.label}: ${what} has had no answer for ${waited} s`;
      this.#options.onRetry?.(message);
    }, 1_000);
    this.#watchdog.unref();
  }

  get identity(): ProducerIdentity {
    return this.#identity;
  }

  /** Records this producer has stamped for a partition so far (its next sequence number). */
  recordsSentTo(topic: string, partition: number): number {
    return this.#partitions.get(`${topic}\u0000${partition}`)?.nextSequence ?? 0;
  }

  /** Bytes accepted and not yet acknowledged. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Bytes acknowledged so far. */
  get acknowledgedBytes(): number {
    return this.#acknowledged;
  }

  /** Milliseconds during which the destination's throttle time held our writes back. */
  get throttledMs(): number {
    return this.#links.throttledMs;
  }

  /** Resolves once fewer than `limit` bytes are buffered (or the producer failed). */
  whenBufferedBelow(limit: number): Promise<void> {
    if (this.#buffered < limit || this.#failure) return Promise.resolve();
    return new Promise((resolve) => this.#spaceWaiters.push({ limit, resolve }));
  }

  /**
   * Queues a batch for a partition; resolves when all replicas have it. The batch is stamped in
   * place; `crc`: 'update' for a batch forwarded as fetched, whose CRC is then updated (see CrcMode).
   */
  send(topic: string, partition: number, batch: Buffer, recordCount: number, crc: CrcMode = 'compute'): Promise<ProduceAck> {
    if (this.#failure) return Promise.reject(this.#failure);
    const state = this.#state(topic, partition);
    const sequence = state.nextSequence;
    state.nextSequence = nextSequence(sequence, recordCount);
    stampBatch(batch, { ...this.#identity, baseSequence: sequence, transactional: this.#options.transactionalId !== null }, crc);
    this.#buffered += batch.length;
    this.#watch();
    return new Promise<ProduceAck>((resolve, reject) => {
      state.queue.push({ state, batch, sequence, firstTry: Date.now(), sentAt: 0, outOfOrderAlone: 0, resolve, reject });
      this.#pump();
    });
  }

  #state(topic: string, partition: number): PartitionState {
    const key = `${topic}\u0000${partition}`;
    let state = this.#partitions.get(key);
    if (!state) {
      state = {
        topic,
        partition,
        queue: [],
        inFlight: new Set(),
        retry: [],
        stalled: false,
        careful: true,
        nextSequence: 0,
        link: undefined,
        resolving: false,
        backoff: new Backoff(RETRY_BACKOFF_MS, RETRY_BACKOFF_MAX_MS),
        stallCause: undefined,
      };
      this.#partitions.set(key, state);
    }
    return state;
  }

  #sendable(state: PartitionState): boolean {
    const limit = state.careful ? 1 : this.#options.maxInFlightPerPartition;
    return !state.stalled && state.queue.length > 0 && state.inFlight.size < limit;
  }

  #pump(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        this.#pumpOnce();
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  #pumpOnce(): void {
    const byLink = new Map<DataLink, PartitionState[]>();
    for (const state of this.#partitions.values()) {
      if (!this.#sendable(state)) continue;
      if (!state.link) {
        this.#resolveLeader(state);
        continue;
      }
      const list = byLink.get(state.link);
      if (list) list.push(state);
      else byLink.set(state.link, [state]);
    }
    for (const [link, states] of byLink) {
      while (true) {
        const items: Item[] = [];
        let bytes = 0;
        for (const state of states) {
          if (!this.#sendable(state)) continue;
          const head = state.queue[0]!;
          if (items.length > 0 && bytes + head.batch.length > this.#options.maxRequestBytes) continue;
          state.queue.shift();
          state.inFlight.add(head);
          head.sentAt = Date.now();
          items.push(head);
          bytes += head.batch.length;
        }
        if (items.length === 0) break;
        this.#request(link, items);
      }
    }
  }

  #resolveLeader(state: PartitionState): void {
    if (state.resolving) return;
    state.resolving = true;
    this.#links
      .forPartition(state.topic, state.partition, true)
      .then((link) => {
        state.link = link;
      })
      .catch(async (error: unknown) => {
        this.#options.onRetry?.(`no leader for ${state.topic}[${state.partition}] yet: ${(error as Error).message}`, retryCode(error));
        if (Date.now() - (state.queue[0]?.firstTry ?? Date.now()) > this.#options.retryDeadlineMs)
          this.#fail(toKrerouteError(error, `finding the leader of ${state.topic}[${state.partition}]`));
        await sleep(500);
      })
      .finally(() => {
        state.resolving = false;
        this.#pump();
      });
  }

  #request(link: DataLink, items: Item[]): void {
    const topics = new Map<string, RawTopicBatches>();
    for (const item of items) {
      let topic = topics.get(item.state.topic);
      if (!topic) topics.set(item.state.topic, (topic = { topic: item.state.topic, partitions: [] }));
      topic.partitions.push({ partition: item.state.partition, batch: item.batch });
    }
    if (process.env['KREROUTE_DEBUG_PRODUCER'])
      console.error(
        `[producer ${this.#identity.producerId}] send ${items.map((i) => `${i.state.topic.slice(-8)}:${i.state.partition}:${i.sequence}`).join(' ')}`,
      );
    link
      .produce(this.#options.transactionalId, -1, 30_000, [...topics.values()])
      .then((response) => this.#onResponse(items, response, null))
      .catch((error: unknown) => {
        // Not a Kafka answer but kreroute's own verdict (a broker too old for Produce v9): final.
        if (isKrerouteError(error) && !error.retryable) {
          this.#fail(error);
          return;
        }
        const response = (error as { response?: ProduceResponse }).response;
        this.#onResponse(items, response ?? null, error);
      });
  }

  #onResponse(items: Item[], response: ProduceResponse | null, requestError: unknown): void {
    if (process.env['KREROUTE_DEBUG_PRODUCER']) {
      const codes = items.map(
        (i) =>
          `${i.state.partition}:${i.sequence}=${response?.responses.find((t) => t.name === i.state.topic)?.partitionResponses.find((p) => p.index === i.state.partition)?.errorCode ?? 'none'}`,
      );
      console.error(
        `[producer ${this.#identity.producerId}] response ${codes.join(' ')}${requestError && !response ? ` request error ${(requestError as Error).message}` : ''}`,
      );
    }
    for (const item of items) {
      const { state } = item;
      state.inFlight.delete(item);
      const answer = response?.responses.find((t) => t.name === state.topic)?.partitionResponses.find((p) => p.index === state.partition);
      const errorId = answer
        ? answer.errorCode === 0
          ? null
          : (protocolErrorsCodesById[answer.errorCode] ?? `ERROR_${answer.errorCode}`)
        : 'NETWORK_EXCEPTION';
      if (errorId === null || errorId === 'DUPLICATE_SEQUENCE_NUMBER') {
        state.careful = false;
        state.backoff.reset();
        this.#settle(item);
        item.resolve({ baseOffset: errorId === null ? answer!.baseOffset : -1n });
        continue;
      }
      // Out of order while batches are pipelined: an earlier one did not land; resending in order
      // settles it. Out of order for the oldest unacknowledged batch alone, again and again, means
      // the broker lost our producer state.
      if (errorId === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && state.careful) item.outOfOrderAlone++;
      const retriable = RETRIABLE_ERRORS.has(errorId) || (errorId === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && item.outOfOrderAlone <= 3);
      if (!retriable || Date.now() - item.firstTry > this.#options.retryDeadlineMs) {
        const cause = requestError ?? new Error(errorId);
        const what = `writing to ${state.topic}[${state.partition}] on ${this.#cluster.label}`;
        const tagged = Object.assign(cause instanceof Error ? cause : new Error(errorId), { apiId: errorId });
        const failure =
          errorId === 'MESSAGE_TOO_LARGE' || errorId === 'RECORD_LIST_TOO_LARGE' || !RETRIABLE_ERRORS.has(errorId)
            ? ((this.#options.transactionalId !== null ? transactionFailure(tagged, what, this.#transactionClock(item)) : undefined) ??
              toKrerouteError(tagged, what))
            : new KrerouteError(
                'COPY_FAILED',
                `writing to ${state.topic}[${state.partition}] kept failing for ${Math.round(this.#options.retryDeadlineMs / 1000)} s (${errorId})`,
                {
                  hint: 'check the destination cluster, then run the same command again: it resumes',
                  cause,
                },
              );
        this.#fail(failure);
        item.reject(failure);
        return;
      }
      if (STALE_LEADER_ERRORS.has(errorId) || answer === undefined) state.link = undefined;
      state.stalled = true;
      state.retry.push(item);
      state.stallCause ??= errorId;
    }
    for (const state of new Set(items.map((i) => i.state))) {
      if (state.stalled && state.inFlight.size === 0) {
        state.queue = [...state.retry.sort((a, b) => compareSequences(a.sequence, b.sequence)), ...state.queue];
        state.retry = [];
        state.careful = true;
        const cause = state.stallCause;
        state.stallCause = undefined;
        const { waitMs, reported } = state.backoff.next(cause === TRANSACTION_START_ERROR && this.#options.transactionalId !== null);
        if (reported) this.#options.onRetry?.(`retrying ${state.topic}[${state.partition}] after ${cause}`, cause);
        setTimeout(() => {
          state.stalled = false;
          this.#pump();
        }, waitMs);
      }
    }
    this.#pump();
  }

  /**
   * The open transaction's clock; without the session's, the failed batch's own age, which the
   * transaction's is at least.
   */
  #transactionClock(item: Item): TransactionClock {
    return this.#options.transaction ?? { ageMs: () => Date.now() - item.firstTry, timeoutMs: TRANSACTION_TIMEOUT_MS };
  }

  #settle(item: Item): void {
    this.#buffered -= item.batch.length;
    this.#acknowledged += item.batch.length;
    for (let i = this.#spaceWaiters.length - 1; i >= 0; i--) {
      const waiter = this.#spaceWaiters[i]!;
      if (this.#buffered < waiter.limit) {
        this.#spaceWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  #fail(error: unknown): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const state of this.#partitions.values()) {
      for (const item of [...state.queue, ...state.retry, ...state.inFlight]) item.reject(error);
      state.queue = [];
      state.retry = [];
      state.inFlight.clear();
    }
    for (const waiter of this.#spaceWaiters.splice(0)) waiter.resolve();
  }

  /**
   * Stops the producer: nothing is sent or retried after this, and its connections close. Writes
   * still queued or retrying are dropped unsettled: close comes after a successful finish (nothing
   * is pending then) or after the copy gave up, when nobody waits for them any more. Retrying them
   * would keep a library user's process alive for the whole retry deadline.
   */
  close(): void {
    this.#closed = true;
    clearInterval(this.#watchdog);
    for (const state of this.#partitions.values()) {
      state.queue = [];
      state.retry = [];
    }
    this.#links.close();
  }

  get failure(): unknown {
    return this.#failure;
  }
}
