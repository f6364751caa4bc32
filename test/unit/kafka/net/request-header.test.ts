import assert from 'node:assert/strict';
import { type Socket, createServer } from 'node:net';
import { test } from 'node:test';
import { apiVersionsV3Body } from '../../../../src/kafka/net/api-versions.ts';
import { type HeaderLayout, RawConnection } from '../../../../src/kafka/net/raw-connection.ts';

/**
 * The bytes a bare connection puts on the wire, from Kafka's protocol spec
 * (https://kafka.apache.org/protocol#protocol_messages): a size (INT32), then
 *   Request Header v2 => request_api_key INT16, request_api_version INT16, correlation_id INT32,
 *                        client_id NULLABLE_STRING (INT16 length), TAG_BUFFER
 *   Request Header v1 => the same without TAG_BUFFER
 * then the body; correlation ids count from 1 on each connection.
 */
async function sentBytes(requests: Array<{ apiKey: number; version: number; body: Buffer[]; layout: HeaderLayout }>): Promise<string[]> {
  const received: string[] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const request = buffered.subarray(0, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(request.length);
        received.push(request.toString('hex'));
        const answer = Buffer.alloc(9); // size, correlation id, empty tagged fields (a v1 response header)
        answer.writeInt32BE(5, 0);
        answer.writeInt32BE(request.readInt32BE(8), 4);
        socket.write(answer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const connection = await RawConnection.connect({ host: '127.0.0.1', port, clientId: 'kr', connectTimeoutMs: 5_000, requestTimeoutMs: 5_000 });
  try {
    for (const { apiKey, version, body, layout } of requests) (await connection.request(apiKey, version, body, layout)).release();
    return received;
  } finally {
    connection.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('request headers v2 and v1, and the ApiVersions v3 body, byte by byte', async () => {
  const sent = await sentBytes([
    { apiKey: 18, version: 3, body: apiVersionsV3Body(), layout: 'api-versions' },
    { apiKey: 17, version: 1, body: [Buffer.from('0005504c41494e', 'hex')], layout: 'legacy' },
    { apiKey: 0, version: 9, body: [Buffer.from('abcd', 'hex')], layout: 'flexible' },
  ]);
  assert.deepEqual(sent, [
    [
      '00000019', // size 25: a 13-byte header and a 12-byte body
      '0012' + '0003' + '00000001' + '0002' + '6b72' + '00', // ApiVersions v3, correlation 1, client id "kr", no tagged fields
      '09' + '6b7265726f757465' + '02' + '31' + '00', // client_software_name "kreroute", client_software_version "1", no tagged fields
    ].join(''),
    ['00000013', '0011' + '0001' + '00000002' + '0002' + '6b72', '0005504c41494e'].join(''), // SaslHandshake v1 (header v1): size 19
    ['0000000f', '0000' + '0009' + '00000003' + '0002' + '6b72' + '00', 'abcd'].join(''), // Produce v9: size 15
  ]);
});
