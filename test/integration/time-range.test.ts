import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';

const HOUR = 3_600_000n;
// Recent enough that the brokers' retention (7 days by default) keeps them.
const T0 = (BigInt(Date.now()) / HOUR - 200n) * HOUR;

test('a time-range plan pins the first offsets at or after each bound', async () => {
  const { sourceBootstrap } = sides();
  const topic = uniqueName('time-range');
  await createTopic(sourceBootstrap, topic, 2);
  // Partition 0: one record an hour for 10 hours; partition 1: one every two hours.
  const p0 = Array.from({ length: 10 }, (_, i) => record(`a${i}`, 'x', { timestamp: T0 + BigInt(i) * HOUR }));
  const p1 = Array.from({ length: 5 }, (_, i) => record(`b${i}`, 'y', { timestamp: T0 + BigInt(i * 2) * HOUR }));
  await produce(
    sourceBootstrap,
    topic,
    new Map([
      [0, p0],
      [1, p1],
    ]),
  );

  const p = await plan({
    topics: [topic],
    from: { kind: 'timestamp', ms: T0 + 3n * HOUR },
    to: { kind: 'timestamp', ms: T0 + 7n * HOUR },
    exact: true,
    createTopics: true,
  });
  const ranges = p.topics[0]!.partitions.map((x) => [x.partition, x.start, x.end, x.exact!.records]);
  // [3h, 7h): partition 0 offsets 3..6, partition 1 holds 4h and 6h at offsets 2 and 3.
  assert.deepEqual(ranges, [
    [0, '3', '7', 4],
    [1, '2', '4', 2],
  ]);
  const { report } = await copyAndVerify(p, await stateDir('time-range'));
  assert.equal(report.passed, true);
  assert.equal(
    report.partitions.reduce((n, v) => n + v.destinationCount, 0),
    6,
  );
});

test('a range whose end lies past the last record ends at the latest offset', async () => {
  const { sourceBootstrap } = sides();
  const topic = uniqueName('time-range-open');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 4 }, (_, i) => record(`k${i}`, 'v', { timestamp: T0 + BigInt(i) * HOUR }))]]));
  const p = await plan({ topics: [topic], from: { kind: 'timestamp', ms: T0 + HOUR }, to: { kind: 'timestamp', ms: T0 + 100n * HOUR }, createTopics: true });
  assert.deepEqual(
    p.topics[0]!.partitions.map((x) => [x.start, x.end]),
    [['1', '4']],
  );
});
