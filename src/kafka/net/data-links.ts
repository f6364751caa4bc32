import type { Reader } from '@platformatic/kafka';
import { type ApiVersionRanges, API_VERSIONS_API_KEY, API_VERSIONS_VERSION, apiVersionsV3Body, parseApiVersions, requireApiVersion } from './api-versions.ts';
import { type ProduceResponse, PRODUCE_API_KEY, PRODUCE_API_VERSION, type RawTopicBatches, parseProduceV9, produceV9Body } from '../wire/produce-request.ts';
import { type RawFetchArgs, type RawFetchResponse, FETCH_API_KEY, FETCH_API_VERSION, fetchV12Body, parseRawFetchV12 } from '../wire/raw-fetch.ts';
import { type PoolCluster, RawConnectionPool } from './raw-connection-pool.ts';
import type { RawConnection } from './raw-connection.ts';
import type { BufferPool } from './buffer-pool.ts';
import { RequestTurns, Throttle } from './throttle.ts';

/** Where the copy's produce and fetch requests for some partitions go: one connection to their leader. */
export interface DataLink {
  produce(transactionalId: string | null, acks: number, timeoutMs: number, topics: RawTopicBatches[]): Promise<ProduceResponse>;
  fetch(...args: RawFetchArgs): Promise<RawFetchResponse>;
}

/** What data links need of a cluster: its partition leaders and how to connect to its brokers. */
export interface LinkCluster extends PoolCluster {
  leaderOf(topic: string, partition: number, refresh: boolean): Promise<{ host: string; port: number }>;
}

/** What kreroute knows of one broker: the API versions it takes (asked once) and how long it asked us to wait. */
interface BrokerState {
  label: string;
  versions: Promise<ApiVersionRanges> | undefined;
  throttle: Throttle;
}

/**
 * Data-path connections to a cluster's brokers: `perBroker` of them to each leader, partition
 * p always on connection p mod perBroker, so each partition's requests stay in order on one socket
 * while the broker works on several requests at once (it handles one connection's requests one at
 * a time). Bare connections (RawConnection), which speak TLS and log in with SASL as the library's
 * connections do (raw-sasl.ts, sasl-mechanism.ts), so SASL clusters get the same data path as
 * plaintext ones. Before a broker's first produce or fetch, its ApiVersions are checked; a
 * response's throttle time delays the next request to that broker (see RequestTurns).
 */
export class DataLinks {
  readonly #cluster: LinkCluster;
  readonly #perBroker: number;
  readonly #links = new Map<string, DataLink>();
  readonly #brokers = new Map<string, BrokerState>();
  readonly #pool: RawConnectionPool;
  readonly #onThrottle: ((heldMs: number) => void) | undefined;

  /** `onThrottle`: told how much longer a broker's throttle time holds our requests back. */
  constructor(cluster: LinkCluster, perBroker: number, responseBuffers?: BufferPool, onThrottle?: (heldMs: number) => void) {
    this.#cluster = cluster;
    this.#perBroker = Math.max(1, perBroker);
    this.#pool = new RawConnectionPool(cluster, responseBuffers);
    this.#onThrottle = onThrottle;
  }

  /** Milliseconds during which the brokers held our requests back by their throttle times. */
  get throttledMs(): number {
    let total = 0;
    for (const broker of this.#brokers.values()) total += broker.throttle.heldMs;
    return total;
  }

  async forPartition(topic: string, partition: number, refresh: boolean): Promise<DataLink> {
    const leader = await this.#cluster.leaderOf(topic, partition, refresh);
    const lane = partition % this.#perBroker;
    const key = `${leader.host}:${leader.port}#${lane}`;
    let link = this.#links.get(key);
    if (!link) {
      link = this.#rawLink(leader.host, leader.port, lane, this.#broker(`${leader.host}:${leader.port}`));
      this.#links.set(key, link);
    }
    return link;
  }

  #broker(label: string): BrokerState {
    let broker = this.#brokers.get(label);
    if (!broker) this.#brokers.set(label, (broker = { label, versions: undefined, throttle: new Throttle() }));
    return broker;
  }

  /** The broker's API versions, asked once; a failed question is asked again next time. */
  async #require(broker: BrokerState, ask: () => Promise<ApiVersionRanges>, apiKey: number, version: number): Promise<void> {
    const versions = (broker.versions ??= ask());
    versions.catch(() => {
      if (broker.versions === versions) broker.versions = undefined;
    });
    requireApiVersion(await versions, apiKey, version, broker.label);
  }

  /**
   * The pool is asked for the connection on every request, so a broken one is replaced. Requests
   * take turns (RequestTurns): in order, each after the broker's throttle time.
   */
  #rawLink(host: string, port: number, lane: number, broker: BrokerState): DataLink {
    const turns = new RequestTurns(broker.throttle);
    const note = (throttleTimeMs: number | undefined): void => {
      const added = broker.throttle.note(throttleTimeMs ?? 0);
      if (added > 0) this.#onThrottle?.(added);
    };
    const send = async (apiKey: number, version: number, body: Buffer[]): Promise<{ reader: Reader; release: () => void; answered: () => void }> => {
      const connection = await this.#pool.get(host, port, lane);
      await this.#require(broker, () => askRawVersions(connection), apiKey, version);
      const answered = await turns.take();
      try {
        return { ...(await connection.request(apiKey, version, body)), answered };
      } catch (error) {
        answered();
        throw error;
      }
    };
    return {
      produce: async (...args) => {
        const { reader, release, answered } = await send(PRODUCE_API_KEY, PRODUCE_API_VERSION, produceV9Body(...args));
        try {
          const response = parseProduceV9(reader);
          note(response.throttleTimeMs);
          return response;
        } catch (error) {
          // A ResponseError (a partition failed) carries the response, and its throttle time.
          note((error as { response?: { throttleTimeMs?: number } }).response?.throttleTimeMs);
          throw error;
        } finally {
          answered();
          release();
        }
      },
      fetch: async (...args) => {
        const { reader, release, answered } = await send(FETCH_API_KEY, FETCH_API_VERSION, fetchV12Body(...args));
        try {
          const response = { ...parseRawFetchV12(reader), release };
          note(response.throttleTimeMs);
          return response;
        } catch (error) {
          release();
          throw error;
        } finally {
          answered();
        }
      },
    };
  }

  close(): void {
    this.#pool.close();
    this.#links.clear();
  }
}

async function askRawVersions(connection: RawConnection): Promise<ApiVersionRanges> {
  const { reader, release } = await connection.request(API_VERSIONS_API_KEY, API_VERSIONS_VERSION, apiVersionsV3Body(), 'api-versions');
  try {
    return parseApiVersions(reader);
  } finally {
    release();
  }
}
