import { type Socket, createConnection } from 'node:net';
import { type ConnectionOptions as TlsOptions, connect as connectTls } from 'node:tls';
import { Reader } from '@platformatic/kafka';
import type { LeasedBuffer, BufferPool } from './buffer-pool.ts';
import { FIRST_ANSWER_MS, NoKafkaAnswerError } from './first-answer.ts';
import { skipTaggedFields } from '../wire/tagged-fields.ts';

export interface RawConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  tls?: TlsOptions;
  connectTimeoutMs: number;
  /** A request without an answer after this long fails, and the connection with it. */
  requestTimeoutMs: number;
  /** Where large responses are read into; without it each gets a buffer of its own. */
  responseBuffers?: BufferPool;
}

/**
 * The header layouts of a request and its response: 'flexible' (request header v2, response
 * header v1: every flexible API version), 'api-versions' (request header v2, response header v0:
 * ApiVersions v3, whose response header never has tagged fields), 'legacy' (request header v1,
 * response header v0: non-flexible versions such as SaslHandshake v1).
 */
export type HeaderLayout = 'flexible' | 'api-versions' | 'legacy';

/** Sends one request and resolves with its response body. */
export type RawRequest = (apiKey: number, apiVersion: number, body: Buffer[], layout?: HeaderLayout) => Promise<RawResponse>;

/** A response body (after the response header) and the release of the buffer it sits in. */
export interface RawResponse {
  reader: Reader;
  release: () => void;
}

interface Pending {
  resolve: (response: LeasedBuffer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Thrown for a connection that broke or timed out: no protocol error code, so the caller retries. */
export class ConnectionLostError extends Error {
  readonly canRetry = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConnectionLostError';
  }
}

/** A response size no broker sends (fetch responses are bounded by the request's max bytes). */
const MAX_RESPONSE_BYTES = 1 << 30;
/** Where a plain-TCP read lands when no large response is being received. */
const SCRATCH_BYTES = 64 * 1024;

/**
 * A bare Kafka connection for the copy's data path (produce and fetch). The client library's
 * connection builds every request into one contiguous buffer and gathers every response from the
 * socket's 64 KiB chunks, copying each fetched partition out again; profiling showed those copies
 * and the GC of their buffers as the largest CPU cost of a passthrough copy. Here a request is a
 * list of buffers written with one writev (forwarded batches go to the socket as they are), and a
 * response is read by the kernel straight into one buffer of its announced size, so fetched
 * batches are views of it, never copied. SASL runs over it as any other request (raw-sasl.ts):
 * `exclusive` lets it re-authenticate between requests.
 */
export class RawConnection {
  readonly #socket: Socket;
  readonly #options: RawConnectionOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #clientId: Buffer;
  readonly #scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  readonly #sizeBytes = Buffer.alloc(4);
  #sizeFilled = 0;
  /** The response being received, and how much of it has arrived. */
  #response: Buffer | undefined;
  #release: () => void = () => undefined;
  #filled = 0;
  /** Whether the read in progress goes straight into #response. */
  #readingDirect = false;
  #correlationId = 0;
  #failure: Error | undefined;
  readonly #onClose: Array<() => void> = [];
  /** While set, new requests wait for it: something runs alone on the connection (see `exclusive`). */
  #paused: Promise<void> | undefined;
  /** Called when no request is in flight any more. */
  #onDrained: (() => void) | undefined;
  /** Whether the broker ever answered: until then a request waits FIRST_ANSWER_MS at most. */
  #answered = false;

  private constructor(socket: Socket, options: RawConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#clientId = Buffer.from(options.clientId);
    socket.on('error', (error) =>
      this.#fail(new ConnectionLostError(`connection to ${options.host}:${options.port} failed: ${error.message}`, { cause: error })),
    );
    socket.on('close', () => this.#fail(new ConnectionLostError(`connection to ${options.host}:${options.port} closed`)));
  }

  static connect(options: RawConnectionOptions): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      let connection: RawConnection | undefined;
      // The read buffer is chosen per read (see #nextReadBuffer), also for TLS: Node's TLS socket
      // decrypts straight into it, so TLS copies no more than plain TCP does.
      const onread = {
        buffer: () => (connection ? connection.#nextReadBuffer() : Buffer.allocUnsafe(SCRATCH_BYTES)),
        callback: (bytes: number, into: Uint8Array) => {
          if (connection) connection.#onRead(bytes, into);
          return true;
        },
      };
      const socket = options.tls
        ? // tls.connect takes onread as net.Socket does (Node's docs); @types/node leaves it out.
          connectTls({ ...options.tls, host: options.host, port: options.port, onread } as TlsOptions)
        : createConnection({ host: options.host, port: options.port, onread });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new Error(`no connection after ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        reject(new ConnectionLostError(`cannot connect to ${options.host}:${options.port}: ${error.message}`, { cause: error }));
      };
      socket.once('error', onError);
      socket.once(options.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        connection = new RawConnection(socket, options);
        resolve(connection);
      });
    });
  }

  get open(): boolean {
    return this.#failure === undefined;
  }

  /** `listener` is called once when the connection breaks or is closed. */
  onClose(listener: () => void): void {
    if (this.#failure) queueMicrotask(listener);
    else this.#onClose.push(listener);
  }

  /**
   * Runs `work` alone on the connection: requests made meanwhile wait (and then go out in the
   * order they were made), those already in flight are answered first. `work` sends its own
   * requests with the function it is given. When `work` fails, the connection fails with its error
   * (it may have left the connection in any state), and so do the requests that waited.
   */
  exclusive<T>(work: (send: RawRequest) => Promise<T>): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    const previous = this.#paused;
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    this.#paused = paused;
    const run = async (): Promise<T> => {
      await previous;
      await this.#drained();
      return work((...args) => this.#send(...args));
    };
    return run().then(
      (result) => {
        if (this.#paused === paused) this.#paused = undefined;
        resume();
        return result;
      },
      (error: unknown) => {
        this.#fail(error instanceof Error ? error : new Error(String(error)));
        if (this.#paused === paused) this.#paused = undefined;
        resume();
        throw error;
      },
    );
  }

  #drained(): Promise<void> {
    if (this.#pending.size === 0 || this.#failure) return Promise.resolve();
    return new Promise((resolve) => (this.#onDrained = resolve));
  }

  /**
   * Sends a request and resolves with the response body after the response header, both headers
   * laid out as `layout` says. The body buffers are written as they are, without being copied
   * here. While something runs alone on the connection (`exclusive`), the request waits.
   */
  request(apiKey: number, apiVersion: number, body: Buffer[], layout: HeaderLayout = 'flexible'): Promise<RawResponse> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#paused) return this.#paused.then(() => this.request(apiKey, apiVersion, body, layout));
    return this.#send(apiKey, apiVersion, body, layout);
  }

  #send(apiKey: number, apiVersion: number, body: Buffer[], layout: HeaderLayout = 'flexible'): Promise<RawResponse> {
    if (this.#failure) return Promise.reject(this.#failure);
    const correlationId = (this.#correlationId = (this.#correlationId + 1) & 0x7fffffff);
    let size = 0;
    for (const piece of body) size += piece.length;
    // size, api key, version, correlation id, client id (int16 length + bytes), empty tagged fields (v2)
    const taggedFields = layout === 'legacy' ? 0 : 1;
    const header = Buffer.allocUnsafe(4 + 2 + 2 + 4 + 2 + this.#clientId.length + taggedFields);
    header.writeInt32BE(header.length - 4 + size, 0);
    header.writeInt16BE(apiKey, 4);
    header.writeInt16BE(apiVersion, 6);
    header.writeInt32BE(correlationId, 8);
    header.writeInt16BE(this.#clientId.length, 12);
    this.#clientId.copy(header, 14);
    if (taggedFields) header[header.length - 1] = 0;
    const address = `${this.#options.host}:${this.#options.port}`;
    const limitMs = this.#answered ? this.#options.requestTimeoutMs : Math.min(this.#options.requestTimeoutMs, FIRST_ANSWER_MS);
    const answer = new Promise<LeasedBuffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#answered) {
          const silent = new NoKafkaAnswerError(address, limitMs);
          this.#fail(new ConnectionLostError(silent.message, { cause: silent }));
        } else this.#fail(new ConnectionLostError(`no answer from ${address} within ${limitMs} ms`));
      }, limitMs);
      this.#pending.set(correlationId, { resolve, reject, timer });
    });
    this.#socket.cork();
    this.#socket.write(header);
    for (const piece of body) this.#socket.write(piece);
    this.#socket.uncork();
    return answer.then(({ buffer, release }) => {
      const reader = Reader.from(buffer);
      reader.skip(4); // correlation id
      if (layout === 'flexible') skipTaggedFields(reader);
      return { reader, release };
    });
  }

  close(): void {
    this.#fail(new ConnectionLostError(`connection to ${this.#options.host}:${this.#options.port} closed`));
  }

  #nextReadBuffer(): Buffer {
    const response = this.#response;
    this.#readingDirect = response !== undefined && response.length - this.#filled >= SCRATCH_BYTES;
    return this.#readingDirect ? response!.subarray(this.#filled) : this.#scratch;
  }

  #onRead(bytes: number, into: Uint8Array): void {
    if (!this.#readingDirect) {
      this.#consume(Buffer.from(into.buffer, into.byteOffset, bytes));
      return;
    }
    if (into.buffer !== this.#response?.buffer) {
      this.#fail(new ConnectionLostError(`read into an unexpected buffer on ${this.#options.host}:${this.#options.port}`));
      return;
    }
    this.#filled += bytes;
    if (this.#filled === this.#response.length) this.#complete();
  }

  /** Takes received bytes that sit in a buffer of their own (a read chunk), copying them where they belong. */
  #consume(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length && !this.#failure) {
      if (!this.#response) {
        const part = Math.min(4 - this.#sizeFilled, bytes.length - at);
        bytes.copy(this.#sizeBytes, this.#sizeFilled, at, at + part);
        this.#sizeFilled += part;
        at += part;
        if (this.#sizeFilled < 4) return;
        this.#sizeFilled = 0;
        const size = this.#sizeBytes.readInt32BE(0);
        if (size < 4 || size > MAX_RESPONSE_BYTES) {
          this.#fail(new ConnectionLostError(`a response of ${size} bytes from ${this.#options.host}:${this.#options.port} cannot be right`));
          return;
        }
        const leased = this.#options.responseBuffers?.lease(size) ?? { buffer: Buffer.allocUnsafe(size), release: () => undefined };
        this.#response = leased.buffer;
        this.#release = leased.release;
        this.#filled = 0;
      }
      const part = Math.min(this.#response.length - this.#filled, bytes.length - at);
      bytes.copy(this.#response, this.#filled, at, at + part);
      this.#filled += part;
      at += part;
      if (this.#filled === this.#response.length) this.#complete();
    }
  }

  #complete(): void {
    const message = { buffer: this.#response!, release: this.#release };
    this.#response = undefined;
    this.#filled = 0;
    const correlationId = message.buffer.readInt32BE(0);
    const pending = this.#pending.get(correlationId);
    if (!pending) {
      message.release();
      this.#fail(new ConnectionLostError(`unexpected answer from ${this.#options.host}:${this.#options.port}`));
      return;
    }
    this.#pending.delete(correlationId);
    this.#answered = true;
    clearTimeout(pending.timer);
    pending.resolve(message);
    if (this.#pending.size === 0) this.#whenDrained();
  }

  #whenDrained(): void {
    const drained = this.#onDrained;
    this.#onDrained = undefined;
    drained?.();
  }

  #fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
    this.#response = undefined;
    this.#socket.destroy();
    this.#whenDrained();
    for (const listener of this.#onClose.splice(0)) listener();
  }
}
