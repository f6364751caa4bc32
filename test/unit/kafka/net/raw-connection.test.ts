import assert from 'node:assert/strict';
import { type Server, type Socket, createServer } from 'node:net';
import { test } from 'node:test';
import { FIRST_ANSWER_MS, NoKafkaAnswerError } from '../../../../src/kafka/net/first-answer.ts';
import { ConnectionLostError, RawConnection } from '../../../../src/kafka/net/raw-connection.ts';

/**
 * The framing of kreroute's bare connection, against a local TCP peer that answers each request
 * with a body derived from the request (so a mixed-up answer shows) and cuts its bytes into
 * awkward pieces: size prefixes split, several responses in one write, responses far larger than
 * a read. Kafka itself is exercised by the integration tests.
 */

interface Peer {
  server: Server;
  port: number;
  sockets: Socket[];
}

/** Answers request (correlation id c, body: uint32 n) with n bytes, byte i = (c + i) & 0xff. */
function answerFor(correlationId: number, size: number): Buffer {
  const response = Buffer.allocUnsafe(4 + 4 + 1 + size);
  response.writeInt32BE(response.length - 4, 0);
  response.writeInt32BE(correlationId, 4);
  response[8] = 0; // no tagged fields
  for (let i = 0; i < size; i++) response[9 + i] = (correlationId + i) & 0xff;
  return response;
}

/** Cuts `bytes` into pieces of the given sizes (cycling) and writes them with a pause between some. */
async function writeInPieces(socket: Socket, bytes: Buffer, pieces: number[]): Promise<void> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = pieces[i % pieces.length]!;
    socket.write(bytes.subarray(at, at + size));
    at += size;
    if (i % 3 === 2) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function startPeer(pieces: number[], batchAnswers = 1): Promise<Peer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let received = Buffer.alloc(0);
    let answers: Buffer[] = [];
    let writing = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        const request = received.subarray(4, 4 + received.readInt32BE(0));
        received = received.subarray(4 + request.length);
        const correlationId = request.readInt32BE(4);
        const clientIdLength = request.readInt16BE(8);
        const size = request.readUInt32BE(10 + clientIdLength + 1);
        answers.push(answerFor(correlationId, size));
        if (answers.length >= batchAnswers) {
          const bytes = Buffer.concat(answers);
          writing = writing.then(() => writeInPieces(socket, bytes, pieces));
          answers = [];
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, sockets };
}

async function stopPeer(peer: Peer): Promise<void> {
  for (const socket of peer.sockets) socket.destroy();
  await new Promise((resolve) => peer.server.close(resolve));
}

function connect(port: number, requestTimeoutMs = 5_000): Promise<RawConnection> {
  return RawConnection.connect({ host: '127.0.0.1', port, clientId: 'test', connectTimeoutMs: 5_000, requestTimeoutMs });
}

function sizeBody(size: number): Buffer[] {
  const body = Buffer.alloc(4);
  body.writeUInt32BE(size);
  return [body];
}

async function ask(connection: RawConnection, size: number): Promise<void> {
  const { reader } = await connection.request(1, 12, sizeBody(size));
  const body = reader.buffer.slice(reader.position, reader.buffer.length);
  assert.equal(body.length, size);
  const first = body[0];
  for (let i = 0; i < size; i++) assert.equal(body[i], (first! + i) & 0xff, `byte ${i} of a ${size}-byte answer`);
}

test('answers cut into tiny pieces, split size prefixes included, come back whole and to the right request', async () => {
  const peer = await startPeer([1, 3, 2, 7, 5]);
  const connection = await connect(peer.port);
  try {
    await Promise.all([0, 1, 2, 3, 4, 100, 999].map((size) => ask(connection, size)));
  } finally {
    connection.close();
    await stopPeer(peer);
  }
});

test('answers much larger than a read land whole, and small ones between them too', async () => {
  const peer = await startPeer([300_000, 17, 70_000, 1_000_000]);
  const connection = await connect(peer.port);
  try {
    const sizes = [3 * 1024 * 1024, 10, 65_535, 65_536, 65_537, 5 * 1024 * 1024 + 3, 0, 200_000];
    await Promise.all(sizes.map((size) => ask(connection, size)));
    await Promise.all(sizes.reverse().map((size) => ask(connection, size)));
  } finally {
    connection.close();
    await stopPeer(peer);
  }
});

test('several answers in one write are told apart', async () => {
  const peer = await startPeer([1 << 30], 4);
  const connection = await connect(peer.port);
  try {
    await Promise.all([5, 70_000, 12, 1_500_000].map((size) => ask(connection, size)));
  } finally {
    connection.close();
    await stopPeer(peer);
  }
});

test('a peer that closes fails the requests waiting on it with a retriable ConnectionLostError', async () => {
  const server = createServer((socket) => socket.once('data', () => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const connection = await connect(typeof address === 'object' && address ? address.port : 0);
  try {
    await assert.rejects(connection.request(1, 12, sizeBody(10)), (error: unknown) => error instanceof ConnectionLostError && error.canRetry);
    assert.equal(connection.open, false);
    await assert.rejects(connection.request(1, 12, sizeBody(10)), ConnectionLostError);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a peer that takes the connection and never answers is named as no Kafka listener, and the connection fails', async () => {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const connection = await connect(port, 300);
  try {
    await assert.rejects(
      connection.request(1, 12, sizeBody(10)),
      (error: unknown) =>
        error instanceof ConnectionLostError &&
        error.cause instanceof NoKafkaAnswerError &&
        error.message === `no Kafka answer from 127.0.0.1:${port} within 300 ms`,
    );
    assert.equal(connection.open, false);
  } finally {
    server.close();
  }
});

test('the first request waits 10 s at most, whatever the request timeout', async () => {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const connection = await connect(typeof address === 'object' && address ? address.port : 0, 60_000);
  const started = Date.now();
  try {
    await assert.rejects(connection.request(1, 12, sizeBody(10)), /no Kafka answer from .* within 10 s/);
    assert.ok(Date.now() - started < FIRST_ANSWER_MS + 2_000, `failed after ${Date.now() - started} ms`);
  } finally {
    server.close();
  }
});

test('a request without an answer, after the peer answered once, times out and fails the connection', async () => {
  let answered = false;
  const server = createServer((socket) =>
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      answered = true;
      socket.write(answerFor(chunk.readInt32BE(8), 0));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const connection = await connect(typeof address === 'object' && address ? address.port : 0, 300);
  try {
    (await connection.request(1, 12, sizeBody(0))).release();
    await assert.rejects(connection.request(1, 12, sizeBody(10)), /^ConnectionLostError: no answer from .* within 300 ms/);
    assert.equal(connection.open, false);
  } finally {
    connection.close();
    server.close();
  }
});
