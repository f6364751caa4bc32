// A checkpoint topic made by hand with a deleting policy would lose the checkpoints an exactly-once
// resume needs and the verdicts purge reads: copy refuses it before writing anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KrerouteError, copyPlan, verifyPlan } from '../../src/index.ts';
import { uniqueName } from '../harness/clusters.ts';
import { plan, sides, stateDir } from '../harness/engine.ts';
import { cluster, createTopic, produce, record } from '../harness/fixtures.ts';

async function highWatermark(bootstrap: string, topic: string): Promise<bigint> {
  const c = cluster(bootstrap);
  try {
    return (await c.listOffsets(topic, [0], { kind: 'latest' }, false))[0]!.offset;
  } finally {
    await c.close();
  }
}

const refusedFor = (pattern: RegExp) => (error: unknown) =>
  error instanceof KrerouteError && error.code === 'CHECKPOINT_TOPIC' && pattern.test(error.message) && /kafka-configs --bootstrap-server \S+ --alter --entity-type topics --entity-name \S+ --add-config cleanup\.policy=compact/.test(error.hint ?? '');

test('copy refuses a checkpoint topic that would delete its checkpoints, in both modes, and writes nothing', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('cp-policy');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 20 }, (_, i) => record(`k${i}`, `v${i}`))]]));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });

  const deleting = uniqueName('cp-delete');
  await createTopic(destinationBootstrap, deleting, 1, { 'cleanup.policy': 'delete', 'retention.ms': '60000' });
  for (const mode of ['exactly-once', 'at-least-once'] as const) {
    await assert.rejects(copyPlan(p, { source, destination, stateDir: await stateDir('cp-policy'), checkpointTopic: deleting, mode }), refusedFor(/cleanup\.policy=delete \(retention\.ms=60000\)/), mode);
  }
  const bounded = uniqueName('cp-compact-delete');
  await createTopic(destinationBootstrap, bounded, 1, { 'cleanup.policy': 'compact,delete', 'retention.ms': '3600000' });
  await assert.rejects(copyPlan(p, { source, destination, stateDir: await stateDir('cp-policy'), checkpointTopic: bounded }), refusedFor(/compact,delete with retention\.ms=3600000/));
  assert.equal(await highWatermark(destinationBootstrap, topic), 0n, 'nothing was copied');
  assert.equal(await highWatermark(destinationBootstrap, deleting), 0n, 'no checkpoint was written');

  // compact,delete that never deletes is as good as compact.
  const forever = uniqueName('cp-forever');
  await createTopic(destinationBootstrap, forever, 1, { 'cleanup.policy': 'compact,delete', 'retention.ms': '-1', 'retention.bytes': '-1' });
  const dir = await stateDir('cp-policy');
  const copied = await copyPlan(p, { source, destination, stateDir: dir, checkpointTopic: forever });
  assert.equal(copied.records, 20);

  // verify does not publish its verdict there either: it keeps it in its state folder and says so.
  const warnings: string[] = [];
  const report = await verifyPlan(p, { source, destination, stateDir: dir, checkpointTopic: deleting, onEvent: (e) => void (e.type === 'warning' && warnings.push(e.message)) });
  assert.equal(report.passed, true);
  assert.ok(warnings.some((w) => /checkpoint topic \S+ has cleanup\.policy=delete/.test(w)), warnings.join('\n'));
  assert.equal(await highWatermark(destinationBootstrap, deleting), 0n, 'no verdict was written to it');
});
