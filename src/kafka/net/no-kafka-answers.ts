import type { Connection } from '@platformatic/kafka';
import { NoKafkaAnswerError, watchFirstAnswer } from './first-answer.ts';

/**
 * The bootstrap brokers of one cluster that took a connection but never answered (see
 * first-answer.ts). Until the cluster has answered once, a call gives up as soon as every
 * bootstrap address is such a one: the client library would try them again for minutes, each
 * request waiting its full timeout.
 */
export class NoKafkaAnswers {
  readonly #bootstrap: Set<string>;
  readonly #silent = new Map<string, NoKafkaAnswerError>();
  #answered = false;
  readonly #waiting = new Set<(error: NoKafkaAnswerError) => void>();

  constructor(bootstrap: string[]) {
    this.#bootstrap = new Set(bootstrap.map((address) => address.trim()));
  }

  /** Watches a new connection of the client library. */
  watch(connection: Connection, broker: { host: string; port: number }): void {
    const socket = connection.socket;
    if (!socket || this.#answered) return;
    watchFirstAnswer(socket, `${broker.host}:${broker.port}`, (error) => this.#noteSilent(error));
  }

  /**
   * A connection of the client library that failed before it was ready: when it had sent bytes
   * (a SASL handshake, a TLS hello) and got none back within `waitedMs`, the peer is silent too.
   */
  failed(connection: Connection, broker: { host: string; port: number }, waitedMs: number): void {
    const socket = connection.socket;
    if (!socket || this.#answered || socket.bytesWritten === 0 || socket.bytesRead > 0) return;
    this.#noteSilent(new NoKafkaAnswerError(`${broker.host}:${broker.port}`, waitedMs));
  }

  /** The cluster answered: from now on an unanswered request waits its own timeout. */
  answered(): void {
    this.#answered = true;
    this.#waiting.clear();
  }

  /** `pending`, or the NoKafkaAnswerError of the last silent bootstrap broker, whichever comes first. */
  race<T>(pending: Promise<T>): Promise<T> {
    if (this.#answered) return pending;
    return new Promise<T>((resolve, reject) => {
      const giveUp = (error: NoKafkaAnswerError) => reject(error);
      this.#waiting.add(giveUp);
      const done = () => this.#waiting.delete(giveUp);
      pending.then(
        (value) => (done(), resolve(value)),
        (error: unknown) => (done(), reject(error)),
      );
    });
  }

  #noteSilent(error: NoKafkaAnswerError): void {
    this.#silent.set(error.address, error);
    if (this.#answered || ![...this.#bootstrap].every((address) => this.#silent.has(address))) return;
    for (const giveUp of [...this.#waiting]) giveUp(error);
    this.#waiting.clear();
  }
}
