import { KrerouteError } from '../../common/errors.ts';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import { RawConnection } from './raw-connection.ts';
import type { BufferPool } from './buffer-pool.ts';
import { authenticateRaw } from './raw-sasl.ts';
import { type SaslMechanism, saslMechanism } from './sasl-mechanism.ts';

/** What the pool needs of a cluster (KafkaCluster has it): how to connect, and when to close. */
export interface PoolCluster {
  readonly settings: {
    readonly clientId?: string | undefined;
    readonly tls?: TlsOptions | undefined;
    readonly connectTimeoutMs?: number | undefined;
    readonly requestTimeoutMs?: number | undefined;
  };
  readonly sasl: SASLOptions | undefined;
  onClose(closer: () => void): void;
}

/**
 * Bare connections to one cluster's brokers, by address and lane (several lanes let a broker
 * work on several requests at once: it answers one connection's requests one at a time). A
 * connection that breaks is forgotten and the next `get` opens a new one; all close with the
 * cluster. With SASL each connection authenticates before it is handed out (raw-sasl.ts).
 */
export class RawConnectionPool {
  readonly #cluster: PoolCluster;
  readonly #connections = new Map<string, Promise<RawConnection>>();
  readonly #responseBuffers: BufferPool | undefined;
  readonly #sasl: SaslMechanism | undefined;
  #closed = false;

  constructor(cluster: PoolCluster, responseBuffers?: BufferPool) {
    this.#cluster = cluster;
    this.#responseBuffers = responseBuffers;
    const { sasl } = cluster;
    this.#sasl = sasl ? saslMechanism(sasl) : undefined;
    if (sasl && !this.#sasl) {
      throw new KrerouteError('UNSUPPORTED', `SASL mechanism ${sasl.mechanism} is not supported`, {
        hint: 'use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or AWS_MSK_IAM',
      });
    }
    cluster.onClose(() => this.close());
  }

  get(host: string, port: number, lane = 0): Promise<RawConnection> {
    // A request still retrying when its producer or fetcher was closed (a copy that failed on one
    // partition while others were in flight) must not open a socket nobody will close: it would
    // keep a library user's process alive until the broker drops the idle connection.
    if (this.#closed) return Promise.reject(new Error(`connections to ${host}:${port} were closed: the copy that used them has stopped`));
    const key = `${host}:${port}#${lane}`;
    let connection = this.#connections.get(key);
    if (!connection) {
      connection = this.#open(host, port);
      this.#connections.set(key, connection);
      connection.then(
        (opened) => opened.onClose(() => this.#forget(key, connection!)),
        () => this.#forget(key, connection!),
      );
    }
    return connection;
  }

  async #open(host: string, port: number): Promise<RawConnection> {
    const connection = await this.#connect(host, port);
    if (this.#sasl) await authenticateRaw(connection, this.#sasl, { host, port });
    return connection;
  }

  #connect(host: string, port: number): Promise<RawConnection> {
    const { settings } = this.#cluster;
    return RawConnection.connect({
      host,
      port,
      clientId: settings.clientId ?? 'kreroute',
      ...(settings.tls ? { tls: settings.tls } : {}),
      connectTimeoutMs: settings.connectTimeoutMs ?? 10_000,
      requestTimeoutMs: (settings.requestTimeoutMs ?? 30_000) + 5_000,
      ...(this.#responseBuffers ? { responseBuffers: this.#responseBuffers } : {}),
    });
  }

  #forget(key: string, connection: Promise<RawConnection>): void {
    if (this.#connections.get(key) === connection) this.#connections.delete(key);
  }

  close(): void {
    this.#closed = true;
    for (const connection of this.#connections.values())
      connection.then(
        (opened) => opened.close(),
        () => undefined,
      );
    this.#connections.clear();
  }
}
