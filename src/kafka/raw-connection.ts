import { type Socket, createConnection } from 'node:net';
import { type ConnectionOptions as TlsOptions, connect as connectTls } from 'node:tls';
import { Reader } from '@platformatic/kafka';

export interface RawConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  tls?: TlsOptions;
  connectTimeoutMs: number;
  /** A request without an answer after this long fails, and the connection with it. */
  requestTimeoutMs: number;
}

interface Pending {
  resolve: (body: Buffer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Thrown for a connection that broke or timed out: no protocol error code, so the caller retries. */
export class ConnectionLostError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConnectionLostError';
  }
}

/**
 * A bare Kafka connection for the copy's produce requests. The client library's connection builds
 * every request into one contiguous buffer (a copy of each batch, and a large allocation per
 * request that the GC must then collect); profiling showed that copy and its GC as the largest
 * CPU cost of a passthrough copy. Here a request is a list of buffers written with one writev:
 * forwarded batches go to the socket as they are. No SASL: copies that need it use the library's
 * connection (see ProduceLinks).
 */
export class RawConnection {
  readonly #socket: Socket;
  readonly #options: RawConnectionOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #clientId: Buffer;
  #correlationId = 0;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #failure: Error | undefined;
  #onClose: (() => void) | undefined;

  private constructor(socket: Socket, options: RawConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#clientId = Buffer.from(options.clientId);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(new ConnectionLostError(`connection to ${options.host}:${options.port} failed: ${error.message}`, { cause: error })));
    socket.on('close', () => this.#fail(new ConnectionLostError(`connection to ${options.host}:${options.port} closed`)));
  }

  static connect(options: RawConnectionOptions): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? connectTls(options.port, options.host, { ...options.tls })
        : createConnection({ host: options.host, port: options.port });
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
        resolve(new RawConnection(socket, options));
      });
    });
  }

  get open(): boolean {
    return this.#failure === undefined;
  }

  /** Called once when the connection breaks or is closed. */
  onClose(listener: () => void): void {
    this.#onClose = listener;
  }

  /**
   * Sends a request with a v2 (flexible) header and resolves with the response body after the
   * v1 response header. The body buffers are written as they are, without being copied here.
   */
  request(apiKey: number, apiVersion: number, body: Buffer[]): Promise<Reader> {
    if (this.#failure) return Promise.reject(this.#failure);
    const correlationId = (this.#correlationId = (this.#correlationId + 1) & 0x7fffffff);
    let size = 0;
    for (const piece of body) size += piece.length;
    // size, api key, version, correlation id, client id (int16 length + bytes), empty tagged fields
    const header = Buffer.allocUnsafe(4 + 2 + 2 + 4 + 2 + this.#clientId.length + 1);
    header.writeInt32BE(header.length - 4 + size, 0);
    header.writeInt16BE(apiKey, 4);
    header.writeInt16BE(apiVersion, 6);
    header.writeInt32BE(correlationId, 8);
    header.writeInt16BE(this.#clientId.length, 12);
    this.#clientId.copy(header, 14);
    header[header.length - 1] = 0;
    const answer = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new ConnectionLostError(`no answer from ${this.#options.host}:${this.#options.port} within ${this.#options.requestTimeoutMs} ms`));
      }, this.#options.requestTimeoutMs);
      this.#pending.set(correlationId, { resolve, reject, timer });
    });
    this.#socket.cork();
    this.#socket.write(header);
    for (const piece of body) this.#socket.write(piece);
    this.#socket.uncork();
    return answer.then((response) => {
      const reader = Reader.from(response);
      reader.skip(4); // correlation id
      skipTaggedFields(reader);
      return reader;
    });
  }

  close(): void {
    this.#fail(new ConnectionLostError(`connection to ${this.#options.host}:${this.#options.port} closed`));
  }

  #onData(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (this.#buffered >= 4) {
      const size = this.#peekSize();
      if (this.#buffered < 4 + size) return;
      const message = this.#take(4 + size).subarray(4);
      const pending = this.#pending.get(message.readInt32BE(0));
      if (!pending) {
        this.#fail(new ConnectionLostError(`unexpected answer from ${this.#options.host}:${this.#options.port}`));
        return;
      }
      this.#pending.delete(message.readInt32BE(0));
      clearTimeout(pending.timer);
      pending.resolve(message);
    }
  }

  #peekSize(): number {
    const first = this.#chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.#chunks, Math.min(this.#buffered, 4));
    return head.readInt32BE(0);
  }

  /** Removes `length` bytes from the front of what was received, copying only when they span chunks. */
  #take(length: number): Buffer {
    const first = this.#chunks[0]!;
    let taken: Buffer;
    if (first.length >= length) {
      taken = first.subarray(0, length);
      if (first.length === length) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(length);
    } else {
      taken = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const chunk = this.#chunks[0]!;
        const part = Math.min(chunk.length, length - filled);
        chunk.copy(taken, filled, 0, part);
        filled += part;
        if (part === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(part);
      }
    }
    this.#buffered -= length;
    return taken;
  }

  #fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
    this.#chunks = [];
    this.#socket.destroy();
    this.#onClose?.();
  }
}

function skipTaggedFields(reader: Reader): void {
  const count = reader.readUnsignedVarInt();
  for (let i = 0; i < count; i++) {
    reader.readUnsignedVarInt(); // tag
    reader.skip(reader.readUnsignedVarInt());
  }
}
