import { KrerouteError } from '../../common/errors.ts';
import { recordsGone } from './records-gone.ts';
import type { KafkaCluster } from '../client/cluster.ts';
import { type DataLink, DataLinks } from '../net/data-links.ts';
import { toKrerouteError, STALE_LEADER_ERRORS } from '../client/errors.ts';
import type { RawFetchPartition } from '../wire/raw-fetch.ts';
import { BufferPool } from '../net/buffer-pool.ts';
import { clusterRetry, retryCode, withRetry } from '../client/retry.ts';
import { withWaitNotice } from '../net/wait-notice.ts';
import { protocolErrorsCodesById } from '@platformatic/kafka';

export interface FetchPosition {
  topic: string;
  partition: number;
  /** Next offset to fetch. */
  offset: bigint;
  /** Exclusive end of the planned range. */
  end: bigint;
}

export interface FetchedPartition {
  position: FetchPosition;
  /** The offset this fetch started at. */
  from: bigint;
  raw: RawFetchPartition;
  /**
   * Whether it led its request. Only the leading partition gets a batch larger than the
   * per-partition limit (KIP-74); the others get nothing until they lead.
   */
  leading: boolean;
  /** The release of the response it came in, shared by all its partitions (see RawFetchResponse.release). */
  release: () => void;
}

export interface PartitionFetchOptions {
  partitionMaxBytes: number;
  maxBytes: number;
  maxWaitMs: number;
  /** Response buffers are kept for reuse while all of them together stay within this. */
  responseBufferBytes: number;
  /** `code`: the error a fetch is retried after (none for a notice that the broker is slow to answer). */
  onRetry?: (message: string, code?: string) => void;
}

/**
 * Fetches many partitions of one cluster at once: one read_committed Fetch per leader broker,
 * holding every unfinished partition at its next offset, records kept as raw bytes.
 */
export class PartitionFetcher {
  readonly #cluster: KafkaCluster;
  readonly #options: PartitionFetchOptions;
  readonly #leaders = new Map<string, DataLink>();
  readonly #links: DataLinks;
  readonly #responseBuffers: BufferPool;
  readonly #stopped = new AbortController();

  constructor(cluster: KafkaCluster, options: PartitionFetchOptions) {
    this.#cluster = cluster;
    this.#options = options;
    this.#responseBuffers = new BufferPool(options.responseBufferBytes);
    this.#links = new DataLinks(cluster, 1, this.#responseBuffers);
  }

  async fetch(positions: FetchPosition[]): Promise<FetchedPartition[]> {
    const onRetry = (error: unknown, attempt: number, delayMs: number): void =>
      this.#options.onRetry?.(`fetching from ${this.#cluster.label} failed (${(error as Error).message}); retry ${attempt} in ${delayMs} ms`, retryCode(error));
    const attempt = async (): Promise<FetchedPartition[]> => {
      try {
        return await this.#fetchOnce(positions);
      } catch (error) {
        // A closed connection (the broker restarted) or a new leader: look the leaders up again.
        if (!(error instanceof KrerouteError)) this.#leaders.clear();
        throw error;
      }
    };
    return withRetry(attempt, { ...clusterRetry(this.#cluster.settings), onRetry, signal: this.#stopped.signal }).catch((error: unknown) => {
      throw toKrerouteError(error, `fetching from ${this.#cluster.label}`);
    });
  }

  /** Bytes of the responses fetched and not yet released (see FetchedPartition.release). */
  get heldResponseBytes(): number {
    return this.#responseBuffers.leasedBytes;
  }

  /** No more retries: a fetch still under way fails at its next error instead of trying again (its reader gave up). */
  stop(): void {
    this.#stopped.abort();
  }

  /**
   * Done with fetching: closes this fetcher's connections and frees its response buffers (those in
   * use once released). Otherwise both would live until the cluster is closed, a pool of up to
   * `responseBufferBytes` for every scan a plan or verify has finished.
   */
  close(): void {
    this.stop();
    this.#links.close();
    this.#responseBuffers.clear();
  }

  async #fetchOnce(positions: FetchPosition[]): Promise<FetchedPartition[]> {
    const groups = new Map<DataLink, FetchPosition[]>();
    for (const position of positions) {
      const key = `${position.topic}\u0000${position.partition}`;
      let link = this.#leaders.get(key);
      if (!link) {
        link = await this.#links.forPartition(position.topic, position.partition, this.#leaders.size > 0);
        this.#leaders.set(key, link);
      }
      const group = groups.get(link);
      if (group) group.push(position);
      else groups.set(link, [position]);
    }
    const results = await Promise.all([...groups].map(([link, group]) => this.#fetchFrom(link, group)));
    return results.flat();
  }

  async #fetchFrom(link: DataLink, positions: FetchPosition[]): Promise<FetchedPartition[]> {
    const byTopic = new Map<string, FetchPosition[]>();
    for (const p of positions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    const leader = [...byTopic.values()][0]?.[0];
    const starts = new Map(positions.map((p) => [`${p.topic}\u0000${p.partition}`, p.offset]));
    const request = link.fetch(
      this.#options.maxWaitMs,
      1,
      this.#options.maxBytes,
      1,
      0,
      -1,
      [...byTopic].map(([topic, list]) => ({
        topicId: topic,
        partitions: list.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: -1,
          fetchOffset: p.offset,
          lastFetchedEpoch: -1,
          partitionMaxBytes: this.#options.partitionMaxBytes,
        })),
      })),
      [],
      '',
    );
    const response = await withWaitNotice(request, (waited) =>
      this.#options.onRetry?.(`waiting for ${this.#cluster.label}: a fetch has had no answer for ${Math.round(waited / 1000)} s`),
    );
    const fetched: FetchedPartition[] = [];
    for (const topic of response.topics) {
      for (const raw of topic.partitions) {
        const position = positions.find((p) => p.topic === topic.topic && p.partition === raw.partition);
        if (!position) continue;
        if (raw.errorCode !== 0) this.#partitionError(position, raw.errorCode);
        fetched.push({
          position,
          from: starts.get(`${position.topic}\u0000${position.partition}`)!,
          raw,
          leading: position === leader,
          release: response.release,
        });
      }
    }
    return fetched;
  }

  #partitionError(position: FetchPosition, code: number): never {
    const id = protocolErrorsCodesById[code] ?? `ERROR_${code}`;
    if (id === 'OFFSET_OUT_OF_RANGE') throw recordsGone(this.#cluster, position.topic, position.partition, position.offset);
    if (STALE_LEADER_ERRORS.has(id)) this.#leaders.delete(`${position.topic}\u0000${position.partition}`);
    throw Object.assign(new Error(`${id} on ${position.topic}[${position.partition}]`), { apiId: id, canRetry: STALE_LEADER_ERRORS.has(id) });
  }
}
