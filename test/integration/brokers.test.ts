import assert from 'node:assert/strict';
import net from 'node:net';
import test from 'node:test';
import { getTestClusters } from '../support/clusters.ts';

interface ClusterInfo {
  clusterId: string | null;
  brokers: string[];
}

/** One Metadata v4 request (no topics) over a plain socket; v4 is the oldest Kafka 4 still answers. */
function describeCluster(bootstrap: string, timeoutMs = 10_000): Promise<ClusterInfo> {
  const [host, port] = bootstrap.split(':') as [string, string];
  const clientId = Buffer.from('kreroute-smoke');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = body.writeInt16BE(3, 0); // api key: Metadata
  o = body.writeInt16BE(4, o); // api version
  o = body.writeInt32BE(1, o); // correlation id
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(0, o); // topics: empty array (null would mean all)
  body.writeInt8(0, o); // allow_auto_topic_creation
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);

  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(port) }, () => socket.write(Buffer.concat([size, body])));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no Metadata answer from ${bootstrap}`)));
    let data = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < 4 + data.readInt32BE(0)) return;
      socket.end();
      let p = 4 + 4 + 4; // size, correlation id, throttle_time_ms
      const string = () => {
        const len = data.readInt16BE(p);
        p += 2;
        if (len < 0) return null;
        p += len;
        return data.toString('utf8', p - len, p);
      };
      const brokers: string[] = [];
      for (let n = data.readInt32BE((p += 4) - 4); n > 0; n--) {
        const nodeId = data.readInt32BE(p);
        p += 4;
        const brokerHost = string();
        const brokerPort = data.readInt32BE(p);
        p += 4;
        string(); // rack
        brokers.push(`${nodeId}@${brokerHost}:${brokerPort}`);
      }
      resolve({ clusterId: string(), brokers });
    });
  });
}

test('source and destination are two different reachable Kafka clusters', async () => {
  const { source, destination } = getTestClusters();
  const [a, b] = await Promise.all([describeCluster(source), describeCluster(destination)]);
  assert.ok(a.clusterId, `source ${source} returned no cluster id`);
  assert.ok(b.clusterId, `destination ${destination} returned no cluster id`);
  assert.notEqual(a.clusterId, b.clusterId, 'source and destination are the same cluster');
  assert.ok(a.brokers.length > 0 && b.brokers.length > 0);
});
