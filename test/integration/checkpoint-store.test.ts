import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Producer } from '@platformatic/kafka';
import { KrerouteError } from '../../src/index.ts';
import type { CopyCheckpoint } from '../../src/checkpoint/copy-checkpoint.ts';
import { DestinationCheckpointStore } from '../../src/checkpoint/destination-store.ts';
import { uniqueName } from '../support/clusters.ts';
import { sides } from '../support/engine.ts';
import { cluster, produce } from '../support/fixtures.ts';

const checkpointOf = (planHash: string, copied: number): CopyCheckpoint => ({
  format: 'kreroute-checkpoint',
  version: 1,
  planHash,
  mode: 'exactly-once',
  producerIds: [],
  sources: { 't/0': { next: String(copied), copied, skipped: 0, done: false, alreadyWritten: [] } },
  destinations: {},
  complete: false,
  updatedAt: '',
});

// Another plan's copier that wrote its checkpoint record in a transaction and stopped before
// committing: the shared partition's last stable offset stays at that record.
test("a checkpoint committed behind another copier's open transaction is waited for, never taken as absent", async () => {
  const { destinationBootstrap } = sides();
  const topic = uniqueName('checkpoints');
  const destination = cluster(destinationBootstrap);
  const stuck = new Producer({
    clientId: 'kreroute-test-stuck',
    bootstrapBrokers: [destinationBootstrap],
    transactionalId: uniqueName('stuck'),
    idempotent: true,
  });
  try {
    const store = new DestinationCheckpointStore(destination, topic);
    await store.ensureTopic();
    await produce(destinationBootstrap, topic, new Map([[0, [store.record('plan-a', checkpointOf('plan-a', 10))]]]));
    const transaction = await stuck.beginTransaction();
    await transaction.send({ messages: [{ topic, partition: 0, key: Buffer.from('plan-other'), value: Buffer.from('{}') }] });
    await produce(destinationBootstrap, topic, new Map([[0, [store.record('plan-a', checkpointOf('plan-a', 20))]]]));

    // plan-b has nothing behind the open transaction: it loads at once.
    const started = Date.now();
    assert.equal(await store.load({ hash: 'plan-b' }, { stableWaitMs: 60_000 }), null);
    assert.ok(Date.now() - started < 5_000, 'a plan with nothing behind the open transaction does not wait for it');

    // plan-a's newest checkpoint lies behind it: no answer until the transaction ends.
    const waits: string[] = [];
    await assert.rejects(
      store.load({ hash: 'plan-a' }, { stableWaitMs: 1_500, onWait: (m) => waits.push(m) }),
      (e: unknown) => e instanceof KrerouteError && e.code === 'CHECKPOINT_UNSTABLE',
    );
    await transaction.abort();
    const loaded = await store.load({ hash: 'plan-a' }, { stableWaitMs: 30_000 });
    assert.equal(loaded?.sources['t/0']?.copied, 20, 'the newest committed checkpoint, not the one before the open transaction');
  } finally {
    await stuck.close();
    await destination.close();
  }
});

test('copiers creating the checkpoint topic at the same moment all go on', async () => {
  const { destinationBootstrap } = sides();
  const topic = uniqueName('checkpoints-race');
  const clusters = Array.from({ length: 4 }, () => cluster(destinationBootstrap));
  try {
    await Promise.all(clusters.map((c) => new DestinationCheckpointStore(c, topic).ensureTopic()));
    assert.ok(await new DestinationCheckpointStore(clusters[0]!, topic).exists());
  } finally {
    await Promise.all(clusters.map((c) => c.close()));
  }
});
