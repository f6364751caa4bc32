// A checkpoint topic made by hand with a deleting policy would lose the checkpoints an exactly-once
// resume needs and the verdicts purge reads: copy refuses it before writing anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KrerouteError, copyPlan, purgePlan, verifyPlan } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

async function highWatermark(bootstrap: string, topic: string): Promise<bigint> {
  const c = cluster(bootstrap);
  try {
    return (await c.listOffsets(topic, [0], { kind: 'latest' }, false))[0]!.offset;
  } finally {
    await c.close();
  }
}

const refusedFor = (pattern: RegExp) => (error: unknown) =>
  error instanceof KrerouteError &&
  error.code === 'CHECKPOINT_TOPIC' &&
  pattern.test(error.message) &&
  /kafka-configs --bootstrap-server \S+ --alter --entity-type topics --entity-name \S+ --add-config cleanup\.policy=compact/.test(error.hint ?? '');

test('copy refuses a checkpoint topic that would delete its checkpoints, in both modes, and writes nothing', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('cp-policy');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 20 }, (_, i) => record(`k${i}`, `v${i}`))]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });

  const deleting = uniqueName('cp-delete');
  await createTopic(destinationBootstrap, deleting, 1, { 'cleanup.policy': 'delete', 'retention.ms': '60000' });
  for (const mode of ['exactly-once', 'at-least-once'] as const) {
    await assert.rejects(
      copyPlan(p, { source, destination, stateDir: await stateDir('cp-policy'), checkpointTopic: deleting, mode }),
      refusedFor(/cleanup\.policy=delete \(retention\.ms=60000\)/),
      mode,
    );
  }
  const bounded = uniqueName('cp-compact-delete');
  await createTopic(destinationBootstrap, bounded, 1, { 'cleanup.policy': 'compact,delete', 'retention.ms': '3600000' });
  await assert.rejects(
    copyPlan(p, { source, destination, stateDir: await stateDir('cp-policy'), checkpointTopic: bounded }),
    refusedFor(/compact,delete with retention\.ms=3600000/),
  );
  assert.equal(await highWatermark(destinationBootstrap, topic), 0n, 'nothing was copied');
  assert.equal(await highWatermark(destinationBootstrap, deleting), 0n, 'no checkpoint was written');

  // compact,delete that never deletes is as good as compact.
  const forever = uniqueName('cp-forever');
  await createTopic(destinationBootstrap, forever, 1, { 'cleanup.policy': 'compact,delete', 'retention.ms': '-1', 'retention.bytes': '-1' });
  const dir = await stateDir('cp-policy');
  const copied = await copyPlan(p, { source, destination, stateDir: dir, checkpointTopic: forever });
  assert.equal(copied.records, 20);

  // verify neither reads checkpoints from it nor keeps its verdict there.
  await assert.rejects(verifyPlan(p, { source, destination, stateDir: dir, checkpointTopic: deleting }), refusedFor(/cleanup\.policy=delete/));
  assert.equal(await highWatermark(destinationBootstrap, deleting), 0n, 'no verdict was written to it');
});

test('purge refuses once the checkpoint topic was switched to cleanup.policy=delete after verify, and deletes nothing', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('cp-policy-purge');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 20 }, (_, i) => record(`k${i}`, `v${i}`))]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const checkpointTopic = uniqueName('cp-switched');
  const dir = await stateDir('cp-policy-purge');
  await copyPlan(p, { source, destination, stateDir: dir, checkpointTopic });
  assert.equal((await verifyPlan(p, { source, destination, stateDir: dir, checkpointTopic })).passed, true);

  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'kreroute-test', bootstrapBrokers: [destinationBootstrap] });
  try {
    await admin.incrementalAlterConfigs({
      resources: [{ resourceType: 2, resourceName: checkpointTopic, configs: [{ name: 'cleanup.policy', configOperation: 0, value: 'delete' }] }],
    });
  } finally {
    await admin.close();
  }
  // From another machine, with only the destination's verdicts: a later failing one may already be gone.
  await assert.rejects(
    purgePlan(p, { source, destination, stateDir: await stateDir('cp-policy-purger'), checkpointTopic }),
    refusedFor(/cleanup\.policy=delete/),
  );
  const c = cluster(sourceBootstrap);
  try {
    assert.equal((await c.listOffsets(topic, [0], { kind: 'earliest' }))[0]!.offset, 0n, 'nothing was deleted from the source');
  } finally {
    await c.close();
  }
});
