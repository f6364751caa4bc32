import { type Server, type Socket, createServer } from 'node:net';

/**
 * A local TCP peer that speaks the Kafka SASL exchange only: ApiVersions v1, SaslHandshake v1 and
 * SaslAuthenticate v2. It records the mechanism and the bytes a client authenticates with, and
 * accepts them or refuses them with SASL_AUTHENTICATION_FAILED, as the test asks. Any other
 * request goes unanswered.
 */
export class SaslPeer {
  readonly port: number;
  readonly mechanisms: string[] = [];
  readonly authBytes: Buffer[] = [];
  /** Refuse logins with this message, or accept them (undefined). */
  refuseWith: string | undefined;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  static async start(): Promise<SaslPeer> {
    let peer: SaslPeer | undefined;
    const server = createServer((socket) => peer!.#serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    peer = new SaslPeer(server, typeof address === 'object' && address ? address.port : 0);
    return peer;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const answer = this.#answer(frame);
        if (answer) socket.write(Buffer.concat([int32(answer.length), answer]));
      }
    });
  }

  #answer(frame: Buffer): Buffer | undefined {
    const apiKey = frame.readInt16BE(0);
    const correlationId = frame.readInt32BE(4);
    const clientIdLength = frame.readInt16BE(8);
    let body = frame.subarray(10 + Math.max(0, clientIdLength));
    if (apiKey === 18) {
      // ApiVersions v1: SaslHandshake 0–1 and SaslAuthenticate 0–2.
      return Buffer.concat([int32(correlationId), int16(0), int32(2), int16(17), int16(0), int16(1), int16(36), int16(0), int16(2), int32(0)]);
    }
    if (apiKey === 17) {
      this.mechanisms.push(body.subarray(2, 2 + body.readInt16BE(0)).toString('utf8'));
      return Buffer.concat([int32(correlationId), int16(0), int32(1), kafkaString(this.mechanisms.at(-1) as string)]);
    }
    if (apiKey === 36) {
      body = body.subarray(1); // the request header's empty tagged fields
      const [length, read] = uvarint(body);
      this.authBytes.push(Buffer.from(body.subarray(read, read + length - 1)));
      const refused = this.refuseWith;
      const message = refused === undefined ? Buffer.from([0]) : Buffer.concat([Buffer.from([Buffer.byteLength(refused) + 1]), Buffer.from(refused)]);
      const response = refused === undefined ? Buffer.from('{"version":"2020_10_22","request-id":"test"}') : Buffer.alloc(0);
      return Buffer.concat([
        int32(correlationId),
        Buffer.from([0]),
        int16(refused === undefined ? 0 : 58),
        message,
        Buffer.from([response.length + 1]),
        response,
        Buffer.alloc(8),
        Buffer.from([0]),
      ]);
    }
    return undefined;
  }
}

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const kafkaString = (s: string) => Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);

function uvarint(buffer: Buffer): [number, number] {
  let value = 0;
  let shift = 0;
  let i = 0;
  for (;;) {
    const byte = buffer[i++] as number;
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, i];
    shift += 7;
  }
}
