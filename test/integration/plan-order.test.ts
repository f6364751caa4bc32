import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EngineEvent, KrerouteError } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';

test('plan --exact says a destination cannot take the plan before it scans the source', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('plan-order');
  await createTopic(sourceBootstrap, topic, 4);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 100 }, (_, i) => record(`k${i}`, `v${i}`))]]));
  for (const [setup, code] of [
    [async () => undefined, /DESTINATION_MISSING|does not exist/],
    [() => createTopic(destinationBootstrap, topic, 2), /TOO_FEW_PARTITIONS|has 2 partitions/],
  ] as const) {
    await setup();
    const events: EngineEvent[] = [];
    await assert.rejects(
      plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true, onEvent: (e) => events.push(e) }),
      (e: unknown) => e instanceof KrerouteError && e.code === 'DESTINATION_CHECK' && code.test(e.message),
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'progress'),
      [],
      'no record was scanned',
    );
  }
});

test('plan --exact shows its progress as copy does: records read out of the range, bytes, with the stage "plan"', async () => {
  const { sourceBootstrap } = sides();
  const topic = uniqueName('plan-progress');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(
    sourceBootstrap,
    topic,
    new Map([
      [0, Array.from({ length: 30 }, (_, i) => record(`k${i}`, `v${i}`))],
      [1, Array.from({ length: 20 }, (_, i) => record(`j${i}`, `w${i}`))],
    ]),
  );
  const events: EngineEvent[] = [];
  const made = await plan({
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    exact: true,
    createTopics: true,
    onEvent: (e) => events.push(e),
  });
  assert.equal(made.estimate.records, 50);
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length > 0 && progress.every((e) => e.stage === 'plan'));
  const last = progress[progress.length - 1]!;
  assert.deepEqual([last.records, last.totalRecords], [50, 50]);
  assert.ok(last.bytes > 0);
});
