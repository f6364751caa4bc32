import type { KafkaCluster } from './cluster.ts';
import { type ProduceResponse, PRODUCE_API_KEY, PRODUCE_API_VERSION, type RawTopicBatches, parseProduceV9, produceV9Body, rawProduceV9 } from './produce-request.ts';
import { RawConnection } from './raw-connection.ts';

/** Where produce requests for some partitions go: one connection to their leader. */
export interface ProduceLink {
  produce(transactionalId: string | null, acks: number, timeoutMs: number, topics: RawTopicBatches[]): Promise<ProduceResponse>;
}

/**
 * Produce connections to the destination's brokers: `perBroker` of them to each leader, partition
 * p always on connection p mod perBroker, so each partition's batches stay in order on one socket
 * while the broker works on several requests at once (it handles one connection's requests one at
 * a time). Bare connections (RawConnection) unless the cluster needs SASL, which only the
 * library's connection speaks.
 */
export class ProduceLinks {
  readonly #cluster: KafkaCluster;
  readonly #perBroker: number;
  readonly #links = new Map<string, Promise<ProduceLink>>();
  readonly #connections = new Set<RawConnection>();

  constructor(cluster: KafkaCluster, perBroker: number) {
    this.#cluster = cluster;
    this.#perBroker = Math.max(1, perBroker);
    cluster.onClose(() => this.close());
  }

  async forPartition(topic: string, partition: number, refresh: boolean): Promise<ProduceLink> {
    const leader = await this.#cluster.leaderOf(topic, partition, refresh);
    const sasl = this.#cluster.settings.sasl !== undefined;
    const key = sasl ? `node ${leader.nodeId}` : `${leader.host}:${leader.port}#${partition % this.#perBroker}`;
    let link = this.#links.get(key);
    if (!link) {
      link = sasl ? Promise.resolve(this.#libraryLink(leader.nodeId)) : this.#open(key, leader.host, leader.port);
      this.#links.set(key, link);
      link.catch(() => this.#links.delete(key));
    }
    return link;
  }

  /**
   * One link per broker, so partitions share requests as on a bare connection. The library's pool
   * is asked for the connection on every request: after a broker restart it holds a new one.
   */
  #libraryLink(nodeId: number): ProduceLink {
    return { produce: async (...args) => rawProduceV9.async(await this.#cluster.brokerConnection(nodeId), ...args) };
  }

  async #open(key: string, host: string, port: number): Promise<ProduceLink> {
    const { settings } = this.#cluster;
    const connection = await RawConnection.connect({
      host,
      port,
      clientId: settings.clientId ?? 'kreroute',
      ...(settings.tls ? { tls: settings.tls } : {}),
      connectTimeoutMs: settings.connectTimeoutMs ?? 10_000,
      requestTimeoutMs: (settings.requestTimeoutMs ?? 30_000) + 5_000,
    });
    connection.onClose(() => this.#links.delete(key));
    this.#connections.add(connection);
    return {
      produce: async (...args) => parseProduceV9(await connection.request(PRODUCE_API_KEY, PRODUCE_API_VERSION, produceV9Body(...args))),
    };
  }

  close(): void {
    for (const connection of this.#connections) connection.close();
    this.#connections.clear();
    this.#links.clear();
  }
}
