import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterMetadata } from '@platformatic/kafka';
import { LeaderDirectory } from '../../../../src/kafka/client/leader-directory.ts';

const TOPICS = Array.from({ length: 10 }, (_, i) => `topic-${i}`);
const PARTITIONS = 100;

/** Metadata naming broker 1 as the leader of every partition of the topics asked for. */
function metadataOf(topics: string[]): ClusterMetadata {
  const partitions = Array.from({ length: PARTITIONS }, () => ({ leader: 1, leaderEpoch: 0, replicas: [1] }));
  return {
    id: 'cluster',
    brokers: new Map([[1, { host: '127.0.0.1', port: 9092 }]]),
    topics: new Map(topics.map((name) => [name, { id: name, partitions, partitionsCount: PARTITIONS, lastUpdate: 0 }])),
    lastUpdate: 0,
  } as unknown as ClusterMetadata;
}

function directory(): { leaders: LeaderDirectory; requests: string[][] } {
  const requests: string[][] = [];
  const leaders = new LeaderDirectory(async (topics) => {
    requests.push([...topics].sort());
    await new Promise((resolve) => setTimeout(resolve, 5));
    return metadataOf(topics);
  });
  return { leaders, requests };
}

const everyPartition = TOPICS.flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));

test('1,000 partitions looking up their leaders at the start share one Metadata request for all topics', async () => {
  const { leaders, requests } = directory();
  await Promise.all(everyPartition.map(({ topic }) => leaders.metadataFor(topic, true)));
  assert.deepEqual(requests, [[...TOPICS].sort()]);
});

test('after an error, 1,000 partitions refreshing their leaders at once cost one more Metadata request', async () => {
  const { leaders, requests } = directory();
  await Promise.all(everyPartition.map(({ topic }) => leaders.metadataFor(topic, false)));
  assert.equal(requests.length, 1);
  await Promise.all(everyPartition.map(({ topic }) => leaders.metadataFor(topic, true)));
  assert.equal(requests.length, 2);
  assert.deepEqual(requests[1], [...TOPICS].sort());
  // Known leaders are not asked for again.
  await Promise.all(everyPartition.map(({ topic }) => leaders.metadataFor(topic, false)));
  assert.equal(requests.length, 2);
});

test('refreshes asked for while a Metadata request is in flight share the next one', async () => {
  const { leaders, requests } = directory();
  const first = leaders.metadataFor('topic-0', true);
  while (requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
  const later = everyPartition.map(({ topic }) => leaders.metadataFor(topic, true));
  await Promise.all([first, ...later]);
  assert.deepEqual(requests, [['topic-0'], [...TOPICS].sort()]);
});

test('a topic whose error fails the shared request costs the other topics one request each, not their leaders', async () => {
  const requests: string[][] = [];
  const leaders = new LeaderDirectory(async (topics) => {
    requests.push([...topics].sort());
    if (topics.includes('deleted')) throw Object.assign(new Error('UNKNOWN_TOPIC_OR_PARTITION'), { apiId: 'UNKNOWN_TOPIC_OR_PARTITION' });
    return metadataOf(topics);
  });
  const lookups = everyPartition.map(({ topic }) => leaders.metadataFor(topic, true));
  const deleted = leaders.metadataFor('deleted', true);
  await Promise.all(lookups);
  await assert.rejects(deleted, /UNKNOWN_TOPIC_OR_PARTITION/);
  assert.equal(requests.length, 1 + TOPICS.length + 1);
  // The failed topic is no longer part of the shared request.
  await Promise.all(everyPartition.map(({ topic }) => leaders.metadataFor(topic, true)));
  assert.deepEqual(requests.at(-1), [...TOPICS].sort());
});
