import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readRange } from '../../src/kafka/fetch/range-reader.ts';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';

/** Offsets that still hold a record, read back from the broker. */
async function liveOffsets(bootstrap: string, topic: string): Promise<bigint[]> {
  const c = cluster(bootstrap);
  try {
    const [end] = await c.listOffsets(topic, [0], { kind: 'latest' });
    const offsets: bigint[] = [];
    for await (const chunk of readRange(c, topic, 0, 0n, end!.offset)) offsets.push(...chunk.records.map((r) => r.offset));
    return offsets;
  } finally {
    await c.close();
  }
}

async function setCleanupPolicy(bootstrap: string, topic: string, policy: string): Promise<void> {
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'kreroute-test', bootstrapBrokers: [bootstrap] });
  try {
    await admin.incrementalAlterConfigs({
      resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'cleanup.policy', configOperation: 0, value: policy }] }],
    });
  } finally {
    await admin.close();
  }
}

test('a compacted source with offset gaps is copied and verified', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('compacted');
  await createTopic(sourceBootstrap, topic, 1, {
    'cleanup.policy': 'compact',
    'segment.ms': '100',
    'min.cleanable.dirty.ratio': '0.01',
    'min.compaction.lag.ms': '0',
    'delete.retention.ms': '100',
  });
  for (let round = 0; round < 5; round++) {
    await produce(
      sourceBootstrap,
      topic,
      new Map([[0, [...Array.from({ length: 20 }, (_, i) => record(`key-${i}`, `round ${round}`)), record(`keep-${round}`, 'never overwritten')]]]),
    );
    await sleep(150);
  }
  // Wait (bounded) for the cleaner to remove overwritten records; each new write rolls a segment.
  let offsets: bigint[] = [];
  for (let attempt = 0; attempt < 60; attempt++) {
    await produce(sourceBootstrap, topic, new Map([[0, [record(`roll-${attempt}`, 'x')]]]));
    offsets = await liveOffsets(sourceBootstrap, topic);
    if (offsets.some((o, i) => i > 0 && o !== offsets[i - 1]! + 1n)) break;
    await sleep(1000);
  }
  const gaps = offsets.some((o, i) => i > 0 && o !== offsets[i - 1]! + 1n);
  assert.ok(gaps, `the cleaner compacted the topic within 60 s (${offsets.length} records left)`);
  // Stop the cleaner here, so that the source holds still while it is planned, copied and verified.
  await setCleanupPolicy(sourceBootstrap, topic, 'delete');
  offsets = await liveOffsets(sourceBootstrap, topic);

  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true, createTopics: true });
  assert.equal(p.estimate.records, offsets.length);
  const { copied, report } = await copyAndVerify(p, await stateDir('compacted'));
  assert.equal(copied.records, offsets.length);
  assert.equal(report.passed, true);
  const copiedRecords = await kcatDump(destinationBootstrap, topic, 0, 0n, offsets.length + 10);
  assert.deepEqual(
    copiedRecords.map((r) => r.offset),
    copiedRecords.map((_, i) => i),
    'the destination numbers them without gaps',
  );
});

const COMPACTED = {
  'cleanup.policy': 'compact',
  'segment.ms': '100',
  'min.cleanable.dirty.ratio': '0.01',
  'min.compaction.lag.ms': '0',
  'delete.retention.ms': '100',
};

/** Writes a record now and then (each rolls a segment) until the cleaner has removed `gone` (bounded), then stops the cleaner. */
async function compactAway(bootstrap: string, topic: string, gone: bigint[]): Promise<bigint[]> {
  let offsets: bigint[] = [];
  for (let attempt = 0; attempt < 60; attempt++) {
    await produce(bootstrap, topic, new Map([[0, [record(`roll-${attempt}`, 'x')]]]));
    offsets = await liveOffsets(bootstrap, topic);
    if (gone.every((o) => !offsets.includes(o))) break;
    await sleep(1000);
  }
  assert.ok(
    gone.every((o) => !offsets.includes(o)),
    `the cleaner removed offsets ${gone[0]}–${gone[gone.length - 1]} within 60 s`,
  );
  await setCleanupPolicy(bootstrap, topic, 'delete');
  return liveOffsets(bootstrap, topic);
}

test('a range whose last records were compacted away after planning is copied and verified to its end', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('compacted-end');
  await createTopic(sourceBootstrap, topic, 1, COMPACTED);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 30 }, (_, i) => record(`key-${i}`, 'first'))]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true, createTopics: true });
  assert.equal(p.topics[0]?.partitions[0]?.end, '30');
  await sleep(150);
  // Newer values of the range's last ten keys, after its end: the cleaner removes offsets 20–29.
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 10 }, (_, i) => record(`key-${20 + i}`, 'second'))]]));
  await sleep(150);
  await compactAway(
    sourceBootstrap,
    topic,
    Array.from({ length: 10 }, (_, i) => BigInt(20 + i)),
  );

  const { copied, report } = await copyAndVerify(p, await stateDir('compacted-end'));
  assert.equal(copied.records, 20);
  assert.equal(report.passed, true);
  const onDestination = await kcatDump(destinationBootstrap, topic, 0, 0n, 30);
  assert.deepEqual(
    onDestination.map((r) => r.key),
    Array.from({ length: 20 }, (_, i) => `key-${i}`),
  );
});

test('a range that starts inside a compacted gap is copied and verified', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('compacted-start');
  await createTopic(sourceBootstrap, topic, 1, COMPACTED);
  // Offsets 0–9 are overwritten by 10–19; 20–29 are other keys.
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 10 }, (_, i) => record(`key-${i}`, 'first'))]]));
  await sleep(150);
  await produce(
    sourceBootstrap,
    topic,
    new Map([
      [0, [...Array.from({ length: 10 }, (_, i) => record(`key-${i}`, 'second')), ...Array.from({ length: 10 }, (_, i) => record(`other-${i}`, 'only'))]],
    ]),
  );
  await sleep(150);
  const live = await compactAway(
    sourceBootstrap,
    topic,
    Array.from({ length: 10 }, (_, i) => BigInt(i)),
  );

  const p = await plan({ topics: [topic], from: { kind: 'offset', offset: 5n }, to: { kind: 'latest' }, exact: true, createTopics: true });
  assert.equal(p.topics[0]?.partitions[0]?.start, '5');
  const inRange = live.filter((o) => o >= 5n);
  assert.equal(p.estimate.records, inRange.length);
  const { copied, report } = await copyAndVerify(p, await stateDir('compacted-start'));
  assert.equal(copied.records, inRange.length);
  assert.equal(report.passed, true);
  const onDestination = await kcatDump(destinationBootstrap, topic, 0, 0n, inRange.length + 10);
  assert.deepEqual(
    onDestination.slice(0, 20).map((r) => r.key),
    [...Array.from({ length: 10 }, (_, i) => `key-${i}`), ...Array.from({ length: 10 }, (_, i) => `other-${i}`)],
  );
});
