import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKrerouteError } from '../../../../src/common/errors.ts';
import { DataLinks } from '../../../../src/kafka/net/data-links.ts';
import { PipelinedProducer } from '../../../../src/kafka/produce/pipelined-producer.ts';
import { ScriptedBroker } from '../../../support/scripted-broker.ts';
import { batchOf, scriptedCluster } from '../../../support/scripted-cluster.ts';

const TOPIC = 'orders';

function produceOne(links: DataLinks, partition: number, value: string): Promise<unknown> {
  return links
    .forPartition(TOPIC, partition, false)
    .then((link) => link.produce(null, -1, 30_000, [{ topic: TOPIC, partitions: [{ partition, batch: batchOf(value) }] }]));
}

test('a produce response asking to slow down (throttle_time_ms) holds back the next request to that broker for as long', async () => {
  const broker = await ScriptedBroker.start({ script: (batches) => ({ answers: batches.map(() => ({ errorCode: 0 })), throttleTimeMs: 300 }) });
  const links = new DataLinks(
    scriptedCluster(() => broker),
    2,
  );
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
    apiVersions: new Map([
      [0, [0, 9]],
      [1, [0, 11]],
      [18, [0, 3]],
    ]),
  });
  const links = new DataLinks(
    scriptedCluster(() => broker),
    2,
  );
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

test('pipelined writes to a throttled broker: one request in flight at a time, each after the wait, in sequence order', async () => {
  const broker = await ScriptedBroker.start({ script: (batches) => ({ answers: batches.map(() => ({ errorCode: 0 })), throttleTimeMs: 40 }) });
  const producer = new PipelinedProducer(
    scriptedCluster(() => broker),
    { producerId: 7n, producerEpoch: 0 },
    { connectionsPerBroker: 1 },
  );
  try {
    await Promise.all(Array.from({ length: 12 }, (_, i) => producer.send(TOPIC, 0, batchOf(`v${i}`), 1)));
    assert.deepEqual(broker.sequencesSent(TOPIC, 0), [...Array(12).keys()], 'each write once, in sequence order');
    // As the broker mutes the connection for the throttle time (KIP-219), a request sent meanwhile
    // would wait there with its timeout running: after the first throttled answer, none is sent
    // while another is unanswered, and none before the wait has passed.
    const produces = broker.events.filter((e) => e.api === 'produce');
    const firstAnswered = broker.answeredAt[0]!;
    const afterThrottle = produces.filter((_, i) => broker.arrivals[i]! > firstAnswered);
    assert.ok(afterThrottle.length >= 10, `${afterThrottle.length} requests after the first answer`);
    assert.deepEqual(
      afterThrottle.map((e) => e.inFlight),
      afterThrottle.map(() => 0),
      'no request sent while another is in flight on a throttled connection',
    );
    for (let i = 1; i < broker.arrivals.length; i++) {
      if (broker.arrivals[i]! <= firstAnswered) continue;
      // One at a time: the answer before request i is answer i - 1.
      const waited = broker.arrivals[i]! - broker.answeredAt[i - 1]!;
      assert.ok(waited >= 38, `request ${i} came ${waited} ms after a throttled answer`);
    }
    assert.ok(producer.throttledMs >= 12 * 38, `the producer counts the time it was held back: ${producer.throttledMs} ms`);
  } finally {
    producer.close();
    await broker.stop();
  }
});
