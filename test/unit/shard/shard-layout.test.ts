import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlanPartition, PlanTopic } from '../../../src/plan/plan.ts';
import { assignShards, usefulShardCount } from '../../../src/shard/shard-layout.ts';
import { shardPlan } from '../../../src/shard/shard-plan.ts';
import { transactionalIdOf } from '../../../src/copy/exactly-once.ts';
import { offlinePlan } from '../../support/offline-plan.ts';

function partition(p: number, records: number, bytes = records * 100): PlanPartition {
  return {
    partition: p,
    start: '0',
    end: String(records),
    destinationPartition: p,
    upperBound: records,
    exact: { records, bytes, largestRecordBytes: 100, otherRecords: 0, minTimestamp: null, maxTimestamp: null },
  };
}

function topic(name: string, partitions: PlanPartition[]): PlanTopic {
  return {
    source: name,
    destination: name,
    sourcePartitions: partitions.length,
    destinationPartitions: partitions.length,
    destinationMaxMessageBytes: 1048588,
    partitions,
  };
}

const skewed = () =>
  offlinePlan({
    topics: [topic('big', [partition(0, 10_000), ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((p) => partition(p, 1000))])],
    estimate: { records: 21_000, exact: true, bytes: 2_100_000, seconds: 1 },
  });

test('shards are disjoint, cover every partition once, and are balanced by bytes, not partition count', () => {
  const plan = skewed();
  const shards = assignShards(plan, 3, 'copy');
  const seen = shards.flatMap((units) => units.flatMap((u) => u.partitions));
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [...Array(12).keys()],
    'every partition in exactly one shard',
  );
  const bytes = shards.map((units) => units.reduce((sum, u) => sum + u.bytes, 0));
  // The 10× partition alone outweighs a third of the topic: it gets a shard of its own, the other two split the rest.
  assert.deepEqual(bytes, [1_000_000, 600_000, 500_000]);
  assert.deepEqual(
    shards[0]!.map((u) => u.partitions),
    [[0]],
  );
  // Cut by partition count, shard 0 would have held 4 partitions (1.3 MB) and shard 2 only 0.4 MB.
});

test('the same plan and N give the same shards; each shard has its own hash and transactional id', () => {
  const a = skewed();
  const b = skewed();
  for (let i = 0; i < 3; i++) assert.equal(shardPlan(a, { index: i, count: 3 }).hash, shardPlan(b, { index: i, count: 3 }).hash);
  const ids = new Set([0, 1, 2].map((i) => transactionalIdOf(shardPlan(a, { index: i, count: 3 }))));
  ids.add(transactionalIdOf(a));
  ids.add(transactionalIdOf(shardPlan(a, { index: 0, count: 2 })));
  assert.equal(ids.size, 5);
  const shard = shardPlan(a, { index: 1, count: 3 });
  assert.deepEqual(shard.shard, { index: 1, count: 3, of: a.hash, purpose: 'copy' });
  assert.equal(shard.estimate.records, 6000);
});

test('mapping same keeps every source partition of one destination partition in one shard', () => {
  const plan = offlinePlan({
    topics: [
      {
        ...topic(
          't',
          [0, 1, 2, 3].map((p) => ({ ...partition(p, 100), destinationPartition: p % 2 })),
        ),
        destinationPartitions: 2,
      },
    ],
    estimate: { records: 400, exact: true, bytes: 40_000, seconds: 1 },
  });
  const shards = assignShards(plan, 2, 'copy');
  assert.deepEqual(
    shards.map((units) => units.flatMap((u) => u.partitions).sort()),
    [
      [0, 2],
      [1, 3],
    ],
  );
});

test('key-hash: copy shards by source partition, verify shards by topic', () => {
  const plan = offlinePlan({
    mapping: 'key-hash',
    topics: [topic('a', [partition(0, 100, 100), partition(1, 100, 100)]), topic('b', [partition(0, 100, 50)])].map((t) => ({
      ...t,
      partitions: t.partitions.map((p) => ({ ...p, destinationPartition: null })),
    })),
    estimate: { records: 300, exact: true, bytes: 250, seconds: 1 },
  });
  assert.equal(assignShards(plan, 3, 'copy').filter((units) => units.length > 0).length, 3);
  const verify = assignShards(plan, 3, 'verify');
  assert.deepEqual(
    verify.map((units) => units.map((u) => `${u.source}:${u.partitions.join(',')}`)),
    [['a:0,1'], ['b:0'], []],
  );
});

test('workers are capped by the units that hold records', () => {
  const plan = offlinePlan({
    topics: [topic('t', [partition(0, 100), partition(1, 0), partition(2, 0)])],
    estimate: { records: 100, exact: true, bytes: 10_000, seconds: 1 },
  });
  assert.equal(usefulShardCount(plan, 8), 1);
  assert.equal(usefulShardCount(skewed(), 8), 8);
  assert.equal(usefulShardCount(skewed(), 40), 12);
});

test('a shard that does not exist, or a shard of a shard, is refused', () => {
  assert.throws(() => shardPlan(skewed(), { index: 3, count: 3 }), /shard 3\/3 does not exist/);
  assert.throws(() => shardPlan(shardPlan(skewed(), { index: 0, count: 2 }), { index: 0, count: 2 }), /already shard 0\/2/);
});
