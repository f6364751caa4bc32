import { type Server, type Socket, createServer } from 'node:net';

/**
 * A local TCP peer that speaks just enough of the Kafka wire format for kreroute's data path:
 * ApiVersions v3 and Produce v9 (requests with a v2 header, responses framed as a broker frames
 * them). What it answers to each produce request is up to the test's script, so error paths
 * that real brokers show only under failure run deterministically.
 */

/** A batch as the broker received it (the fields a broker checks for idempotence). */
export interface ReceivedBatch {
  topic: string;
  partition: number;
  producerEpoch: number;
  sequence: number;
  /** The batch's first record value, as text: which write this is, across resends. */
  value: string;
}

export interface PartitionAnswer {
  errorCode: number;
  baseOffset?: bigint;
}

export type ScriptAnswer = { answers: PartitionAnswer[]; throttleTimeMs?: number } | 'close' | 'silence';

/** Answers one produce request; `queued` is how many more requests already wait on this connection. */
export type ProduceScript = (
  batches: ReceivedBatch[],
  connection: { queued: () => number; whenQueued: (count: number) => Promise<void> },
) => ScriptAnswer | Promise<ScriptAnswer>;

export interface ScriptedBrokerOptions {
  script: ProduceScript;
  /** api key → [min, max]; default Produce 0–11 and Fetch 0–16. */
  apiVersions?: Map<number, [number, number]>;
  /**
   * SASL/PLAIN required before produce: the password, and the session lifetime it grants (KIP-368;
   * 0: none); a produce request more than `graceMs` after the session expired closes the connection.
   */
  sasl?: { password: string; sessionLifetimeMs: number; graceMs?: number };
}

/** What arrived on one connection, in order; `inFlight`: produce requests then still unanswered on it. */
export interface ArrivalEvent {
  connection: number;
  api: 'api-versions' | 'sasl-handshake' | 'sasl-authenticate' | 'produce';
  inFlight: number;
}

const BATCH_PRODUCER_EPOCH = 51;
const BATCH_BASE_SEQUENCE = 53;
const BATCH_RECORDS = 61;

export class ScriptedBroker {
  readonly port: number;
  /** Every produce request's batches, in arrival order (header v2: api key, version, correlation id, client id, tagged fields). */
  readonly requests: ReceivedBatch[][] = [];
  /** When each produce request arrived and when its answer went out (ms, Date.now()). */
  readonly arrivals: number[] = [];
  readonly answeredAt: number[] = [];
  apiVersionRequests = 0;
  readonly events: ArrivalEvent[] = [];
  #connections = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  static async start(options: ScriptedBrokerOptions): Promise<ScriptedBroker> {
    const versions =
      options.apiVersions ??
      new Map([
        [0, [0, 11]],
        [1, [0, 16]],
        [18, [0, 3]],
      ]);
    let broker: ScriptedBroker | undefined;
    const server = createServer((socket) => broker!.#serve(socket, options, versions));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    broker = new ScriptedBroker(server, typeof address === 'object' && address ? address.port : 0);
    return broker;
  }

  /** Sequences received for a partition, in arrival order (resends included). */
  sequencesSent(topic: string, partition: number): number[] {
    return this.requests
      .flat()
      .filter((b) => b.topic === topic && b.partition === partition)
      .map((b) => b.sequence);
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #serve(socket: Socket, options: ScriptedBrokerOptions, versions: Map<number, [number, number]>): void {
    const { script } = options;
    const connectionNumber = ++this.#connections;
    const sasl = { required: options.sasl !== undefined, authenticated: false, expiresAt: Infinity };
    let inFlight = 0;
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    let received = Buffer.alloc(0);
    const queue: Array<{ request: Buffer; batches: ReceivedBatch[] }> = [];
    const waiters: Array<{ count: number; resolve: () => void }> = [];
    let working = false;
    const connection = {
      queued: () => queue.length,
      whenQueued: (count: number) => (queue.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    };
    const work = async (): Promise<void> => {
      if (working) return;
      working = true;
      while (queue.length > 0 && !socket.destroyed) {
        const { request, batches } = queue.shift()!;
        const reply = await this.#answer(request, batches, script, versions, connection, options.sasl, sasl);
        if (request.readInt16BE(0) === 0) inFlight--;
        if (reply === 'close') {
          socket.destroy();
          break;
        }
        if (reply !== 'silence') socket.write(reply);
      }
      working = false;
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        const size = received.readInt32BE(0);
        const request = received.subarray(4, 4 + size);
        // Produce requests count as received on arrival, also those a cut connection never answers.
        const batches = request.readInt16BE(0) === 0 ? parseProduce(new Cursor(request, 10 + request.readInt16BE(8) + 1)) : [];
        const api = API_NAMES[request.readInt16BE(0)];
        if (api) this.events.push({ connection: connectionNumber, api, inFlight });
        if (request.readInt16BE(0) === 0) {
          this.requests.push(batches);
          this.arrivals.push(Date.now());
          inFlight++;
        }
        queue.push({ request, batches });
        received = received.subarray(4 + size);
      }
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (queue.length >= waiters[i]!.count) waiters.splice(i, 1)[0]!.resolve();
      }
      void work();
    });
  }

  async #answer(
    request: Buffer,
    batches: ReceivedBatch[],
    script: ProduceScript,
    versions: Map<number, [number, number]>,
    connection: Parameters<ProduceScript>[1],
    saslOptions: ScriptedBrokerOptions['sasl'],
    sasl: { required: boolean; authenticated: boolean; expiresAt: number },
  ): Promise<Buffer | 'close' | 'silence'> {
    const apiKey = request.readInt16BE(0);
    const correlationId = request.readInt32BE(4);
    if (apiKey === 18) {
      this.apiVersionRequests++;
      return frame(correlationId, false, apiVersionsBody(versions));
    }
    if (apiKey === 17) {
      // SaslHandshake v1, request header v1: the mechanism name follows the client id.
      const at = 10 + request.readInt16BE(8);
      const mechanism = request.subarray(at + 2, at + 2 + request.readInt16BE(at)).toString();
      const body = new Writer()
        .int16(mechanism === 'PLAIN' ? 0 : 33)
        .int32(1)
        .raw(Buffer.from([0, 5]))
        .raw(Buffer.from('PLAIN'))
        .done();
      return frame(correlationId, false, body);
    }
    if (apiKey === 36) {
      // SaslAuthenticate v2: PLAIN's auth bytes are "\0user\0password".
      const authBytes = new Cursor(request, 10 + request.readInt16BE(8) + 1).bytes();
      const ok = authBytes.toString().split('\0')[2] === saslOptions?.password;
      const lifetime = BigInt(ok ? (saslOptions?.sessionLifetimeMs ?? 0) : 0);
      if (ok) {
        sasl.authenticated = true;
        sasl.expiresAt = lifetime > 0n ? Date.now() + Number(lifetime) + (saslOptions?.graceMs ?? 0) : Infinity;
      }
      const w = new Writer().int16(ok ? 0 : 58);
      if (ok) w.uvarint(0);
      else w.string('Authentication failed: Invalid username or password');
      return frame(correlationId, true, w.uvarint(1).int64(lifetime).uvarint(0).done());
    }
    if (apiKey !== 0) return 'close';
    // As a broker does (KIP-368): a request on a connection not (or no longer) authenticated closes it.
    if (sasl.required && (!sasl.authenticated || Date.now() > sasl.expiresAt)) return 'close';
    const reply = await script(batches, connection);
    if (reply === 'close' || reply === 'silence') return reply;
    this.answeredAt.push(Date.now());
    return frame(correlationId, true, produceResponseBody(batches, reply.answers, reply.throttleTimeMs ?? 0));
  }
}

const API_NAMES: Record<number, ArrivalEvent['api']> = { 0: 'produce', 17: 'sasl-handshake', 18: 'api-versions', 36: 'sasl-authenticate' };

class Cursor {
  readonly buffer: Buffer;
  at: number;

  constructor(buffer: Buffer, at: number) {
    this.buffer = buffer;
    this.at = at;
  }

  int16(): number {
    const value = this.buffer.readInt16BE(this.at);
    this.at += 2;
    return value;
  }

  int32(): number {
    const value = this.buffer.readInt32BE(this.at);
    this.at += 4;
    return value;
  }

  uvarint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.buffer[this.at++]!;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
  }

  bytes(): Buffer {
    const length = this.uvarint() - 1;
    const value = this.buffer.subarray(this.at, this.at + Math.max(0, length));
    this.at += Math.max(0, length);
    return value;
  }

  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.at += this.uvarint();
    }
  }
}

function parseProduce(body: Cursor): ReceivedBatch[] {
  body.bytes(); // transactional id
  body.int16(); // acks
  body.int32(); // timeout
  const batches: ReceivedBatch[] = [];
  const topics = body.uvarint() - 1;
  for (let t = 0; t < topics; t++) {
    const topic = body.bytes().toString();
    const partitions = body.uvarint() - 1;
    for (let p = 0; p < partitions; p++) {
      const partition = body.int32();
      const batch = body.bytes();
      body.skipTaggedFields();
      batches.push({
        topic,
        partition,
        producerEpoch: batch.readInt16BE(BATCH_PRODUCER_EPOCH),
        sequence: batch.readInt32BE(BATCH_BASE_SEQUENCE),
        value: firstValue(batch),
      });
    }
    body.skipTaggedFields();
  }
  return batches;
}

/** The first record's value of an uncompressed batch. */
function firstValue(batch: Buffer): string {
  const records = new Cursor(batch, BATCH_RECORDS);
  const zigzag = (): number => {
    const raw = records.uvarint();
    return (raw >>> 1) ^ -(raw & 1);
  };
  zigzag(); // length
  records.at += 1; // attributes
  zigzag(); // timestamp delta
  zigzag(); // offset delta
  const keyLength = zigzag();
  if (keyLength > 0) records.at += keyLength;
  const valueLength = zigzag();
  return valueLength < 0 ? '' : batch.subarray(records.at, records.at + valueLength).toString();
}

class Writer {
  readonly #parts: Buffer[] = [];

  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    return this.raw(b);
  }

  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.raw(b);
  }

  int64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(value);
    return this.raw(b);
  }

  uvarint(value: number): this {
    const bytes: number[] = [];
    let v = value >>> 0;
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
    return this.raw(Buffer.from(bytes));
  }

  string(value: string): this {
    const bytes = Buffer.from(value);
    return this.uvarint(bytes.length + 1).raw(bytes);
  }

  raw(bytes: Buffer): this {
    this.#parts.push(bytes);
    return this;
  }

  done(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

function frame(correlationId: number, flexibleHeader: boolean, body: Buffer): Buffer {
  const header = new Writer().int32(correlationId);
  if (flexibleHeader) header.uvarint(0);
  const payload = Buffer.concat([header.done(), body]);
  return Buffer.concat([new Writer().int32(payload.length).done(), payload]);
}

function apiVersionsBody(versions: Map<number, [number, number]>): Buffer {
  const w = new Writer().int16(0).uvarint(versions.size + 1);
  for (const [apiKey, [min, max]] of versions) w.int16(apiKey).int16(min).int16(max).uvarint(0);
  return w.int32(0).uvarint(0).done();
}

function produceResponseBody(batches: ReceivedBatch[], answers: PartitionAnswer[], throttleTimeMs: number): Buffer {
  const byTopic = new Map<string, Array<{ partition: number; answer: PartitionAnswer }>>();
  batches.forEach((batch, i) => {
    const list = byTopic.get(batch.topic) ?? [];
    list.push({ partition: batch.partition, answer: answers[i] ?? { errorCode: 0 } });
    byTopic.set(batch.topic, list);
  });
  const w = new Writer().uvarint(byTopic.size + 1);
  for (const [topic, partitions] of byTopic) {
    w.string(topic).uvarint(partitions.length + 1);
    for (const { partition, answer } of partitions) {
      w.int32(partition)
        .int16(answer.errorCode)
        .int64(answer.errorCode === 0 ? (answer.baseOffset ?? 0n) : -1n)
        .int64(-1n)
        .int64(0n);
      w.uvarint(1); // no record errors
      w.uvarint(0); // null error message
      w.uvarint(0); // tagged fields
    }
    w.uvarint(0);
  }
  return w.int32(throttleTimeMs).uvarint(0).done();
}

/**
 * A partition log that answers as a broker's idempotence check does (ProducerStateManager): the
 * next sequence is appended, a batch it already has is a duplicate, anything else is out of
 * order. With no state for the producer (the start, or after `forget`), any sequence is accepted.
 */
export class IdempotentLog {
  /** Values appended, in order. */
  readonly values: string[] = [];
  #next: number | undefined;
  readonly #recent: Array<{ sequence: number; offset: bigint }> = [];

  answer(batch: ReceivedBatch): PartitionAnswer {
    const duplicate = this.#recent.find((r) => r.sequence === batch.sequence);
    if (duplicate) return { errorCode: 46 };
    if (this.#next !== undefined && batch.sequence !== this.#next) return { errorCode: 45 };
    const offset = BigInt(this.values.length);
    this.values.push(batch.value);
    this.#next = (batch.sequence + 1) % 0x80000000;
    this.#recent.push({ sequence: batch.sequence, offset });
    if (this.#recent.length > 5) this.#recent.shift();
    return { errorCode: 0, baseOffset: offset };
  }

  /** As if the broker lost this producer's state (or the producer jumped its sequence). */
  forget(): void {
    this.#next = undefined;
    this.#recent.length = 0;
  }
}

export const ERROR = {
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  NOT_ENOUGH_REPLICAS: 19,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  PRODUCER_FENCED: 90,
  TRANSACTION_ABORTABLE: 120,
} as const;
