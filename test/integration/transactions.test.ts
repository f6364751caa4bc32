import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Producer } from '@platformatic/kafka';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';

/** Writes with the client library's own transactional producer: an independent writer. */
async function transactionally(bootstrap: string, topic: string, values: string[], commit: boolean): Promise<void> {
  const producer = new Producer({ clientId: 'kreroute-test-txn', bootstrapBrokers: [bootstrap], transactionalId: uniqueName('txn'), idempotent: true });
  try {
    const transaction = await producer.beginTransaction();
    await transaction.send({ messages: values.map((v) => ({ topic, partition: 0, key: Buffer.from(v), value: Buffer.from(v) })) });
    await (commit ? transaction.commit() : transaction.abort());
  } finally {
    await producer.close();
  }
}

test('aborted transactions and control records are not copied; committed ones are', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('transactions');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, [record('plain-1', 'plain-1')]]]));
  await transactionally(sourceBootstrap, topic, ['committed-1', 'committed-2'], true);
  await transactionally(sourceBootstrap, topic, ['aborted-1', 'aborted-2', 'aborted-3'], false);
  await produce(sourceBootstrap, topic, new Map([[0, [record('plain-2', 'plain-2')]]]));
  await transactionally(sourceBootstrap, topic, ['committed-3'], true);

  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true, createTopics: true });
  // 1 + 2 + marker + 3 + marker + 1 + 1 + marker = 11 offsets, 5 committed data records.
  assert.equal(p.topics[0]!.partitions[0]!.upperBound, 11);
  assert.equal(p.estimate.records, 5);
  const { copied, report } = await copyAndVerify(p, await stateDir('transactions'));
  assert.equal(copied.records, 5);
  assert.equal(report.passed, true);
  const keys = (await kcatDump(destinationBootstrap, topic, 0, 0n, 100)).map((r) => r.key);
  assert.deepEqual(keys, ['plain-1', 'committed-1', 'committed-2', 'plain-2', 'committed-3']);
});

test('an exactly-once copy registers only the partitions it writes: a partition with nothing to copy gets no transaction markers', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('txn-partitions');
  await createTopic(sourceBootstrap, topic, 4);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 2000 }, (_, i) => record(`k${i}`, `v${i}`))]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const { copied, report } = await copyAndVerify(p, await stateDir('txn-partitions'));
  assert.equal(copied.records, 2000);
  assert.equal(report.passed, true);
  const destination = cluster(destinationBootstrap);
  try {
    const ends = (await destination.listOffsets(topic, [0, 1, 2, 3], { kind: 'latest' }, false)).map((l) => l.offset);
    assert.deepEqual(ends.slice(1), [0n, 0n, 0n], 'no marker was written to the partitions that received nothing');
    assert.ok(ends[0]! > 2000n, 'partition 0 has its records and its commit markers');
  } finally {
    await destination.close();
  }
});
