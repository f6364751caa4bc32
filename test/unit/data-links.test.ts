import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKrerouteError } from '../../src/errors.ts';
import { DataLinks } from '../../src/kafka/data-links.ts';
import { ScriptedBroker } from './support/scripted-broker.ts';
import { batchOf, scriptedCluster } from './support/scripted-cluster.ts';

const TOPIC = 'orders';

function produceOne(links: DataLinks, partition: number, value: string): Promise<unknown> {
  return links.forPartition(TOPIC, partition, false).then((link) => link.produce(null, -1, 30_000, [{ topic: TOPIC, partitions: [{ partition, batch: batchOf(value) }] }]));
}

test('a produce response asking to slow down (throttle_time_ms) holds back the next request to that broker for as long', async () => {
  const broker = await ScriptedBroker.start({ script: (batches) => ({ answers: batches.map(() => ({ errorCode: 0 })), throttleTimeMs: 300 }) });
  const links = new DataLinks(scriptedCluster(() => broker), 2);
  try {
    await produceOne(links, 0, 'a');
    // Partition 1 goes over another connection to the same broker: the broker's wait holds there too.
    await produceOne(links, 1, 'b');
    const waited = broker.arrivals[1]! - broker.answeredAt[0]!;
    assert.ok(waited >= 290, `the second request came ${waited} ms after the throttled answer`);
  } finally {
    links.close();
    await broker.stop();
  }
});

test('ApiVersions is asked once per broker, and a broker without Fetch v12 is refused in one line', async () => {
  const broker = await ScriptedBroker.start({
    script: (batches) => ({ answers: batches.map(() => ({ errorCode: 0 })) }),
    apiVersions: new Map([[0, [0, 9]], [1, [0, 11]], [18, [0, 3]]]),
  });
  const links = new DataLinks(scriptedCluster(() => broker), 2);
  try {
    await produceOne(links, 0, 'a');
    await produceOne(links, 1, 'b');
    await produceOne(links, 0, 'c');
    assert.equal(broker.apiVersionRequests, 1);
    const link = await links.forPartition(TOPIC, 0, false);
    await assert.rejects(link.fetch(500, 1, 1024, 1, 0, -1, [], [], ''), (error: unknown) => {
      assert.ok(isKrerouteError(error) && error.code === 'UNSUPPORTED', String(error));
      assert.equal(error.message, `broker 127.0.0.1:${broker.port} supports Fetch versions 0 to 11; kreroute needs Fetch v12`);
      return true;
    });
  } finally {
    links.close();
    await broker.stop();
  }
});
