import type { KafkaCluster } from './cluster.ts';
import { type ProduceResponse, PRODUCE_API_KEY, PRODUCE_API_VERSION, type RawTopicBatches, parseProduceV9, produceV9Body, rawProduceV9 } from './produce-request.ts';
import { type RawFetchArgs, type RawFetchResponse, FETCH_API_KEY, FETCH_API_VERSION, fetchV12Body, parseRawFetchV12, rawFetchV12 } from './raw-fetch.ts';
import { RawConnectionPool } from './raw-connection-pool.ts';
import type { BufferPool } from './buffer-pool.ts';

/** Where the copy's produce and fetch requests for some partitions go: one connection to their leader. */
export interface DataLink {
  produce(transactionalId: string | null, acks: number, timeoutMs: number, topics: RawTopicBatches[]): Promise<ProduceResponse>;
  fetch(...args: RawFetchArgs): Promise<RawFetchResponse>;
}

/**
 * Data-path connections to a cluster's brokers: `perBroker` of them to each leader, partition
 * p always on connection p mod perBroker, so each partition's requests stay in order on one socket
 * while the broker works on several requests at once (it handles one connection's requests one at
 * a time). Bare connections (RawConnection) unless the cluster needs SASL, which only the
 * library's connection speaks.
 */
export class DataLinks {
  readonly #cluster: KafkaCluster;
  readonly #perBroker: number;
  readonly #links = new Map<string, DataLink>();
  readonly #pool: RawConnectionPool;

  constructor(cluster: KafkaCluster, perBroker: number, responseBuffers?: BufferPool) {
    this.#cluster = cluster;
    this.#perBroker = Math.max(1, perBroker);
    this.#pool = new RawConnectionPool(cluster, responseBuffers);
  }

  async forPartition(topic: string, partition: number, refresh: boolean): Promise<DataLink> {
    const leader = await this.#cluster.leaderOf(topic, partition, refresh);
    const sasl = this.#cluster.settings.sasl !== undefined;
    const key = sasl ? `node ${leader.nodeId}` : `${leader.host}:${leader.port}#${partition % this.#perBroker}`;
    let link = this.#links.get(key);
    if (!link) {
      link = sasl ? this.#libraryLink(leader.nodeId) : this.#rawLink(leader.host, leader.port, partition % this.#perBroker);
      this.#links.set(key, link);
    }
    return link;
  }

  /**
   * One link per broker, so partitions share requests as on a bare connection. The library's pool
   * is asked for the connection on every request: after a broker restart it holds a new one.
   */
  #libraryLink(nodeId: number): DataLink {
    return {
      produce: async (...args) => rawProduceV9.async(await this.#cluster.brokerConnection(nodeId), ...args),
      fetch: async (...args) => rawFetchV12.async(await this.#cluster.brokerConnection(nodeId), ...args),
    };
  }

  /** The pool is asked for the connection on every request, so a broken one is replaced. */
  #rawLink(host: string, port: number, lane: number): DataLink {
    return {
      produce: async (...args) => {
        const connection = await this.#pool.get(host, port, lane);
        const { reader, release } = await connection.request(PRODUCE_API_KEY, PRODUCE_API_VERSION, produceV9Body(...args));
        try {
          return parseProduceV9(reader);
        } finally {
          release();
        }
      },
      fetch: async (...args) => {
        const connection = await this.#pool.get(host, port, lane);
        const { reader, release } = await connection.request(FETCH_API_KEY, FETCH_API_VERSION, fetchV12Body(...args));
        return { ...parseRawFetchV12(reader), release };
      },
    };
  }

  close(): void {
    this.#pool.close();
    this.#links.clear();
  }
}
