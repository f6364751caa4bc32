import assert from 'node:assert/strict';
import { test } from 'node:test';
import { murmur2 } from '@platformatic/kafka';
import { KrerouteError } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';

test('mapping key-hash spreads records as Kafka’s default partitioner would, and verify passes', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('key-hash');
  await createTopic(sourceBootstrap, topic, 4);
  await createTopic(destinationBootstrap, topic, 3);
  const seeded = new Map([0, 1, 2, 3].map((p) => [p, Array.from({ length: 60 }, (_, i) => record(`user-${(i * 7 + p) % 25}`, `event ${p}/${i}`))]));
  await produce(sourceBootstrap, topic, seeded);

  await assert.rejects(
    plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' } }),
    (e: unknown) => e instanceof KrerouteError && e.code === 'DESTINATION_CHECK' && /3 partitions, the plan needs 4/.test(e.message),
  );
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, mapping: 'key-hash' });
  const { report } = await copyAndVerify(p, await stateDir('key-hash'));
  assert.equal(report.passed, true);
  assert.equal(report.partitions.length, 3);
  for (let d = 0; d < 3; d++) {
    for (const r of await kcatDump(destinationBootstrap, topic, d, 0n, 1000)) {
      assert.equal((murmur2(Buffer.from(r.key!)) & 0x7fffffff) % 3, d, `${r.key} is in partition ${d}`);
    }
  }
  assert.equal(
    report.partitions.reduce((n, v) => n + v.destinationCount, 0),
    240,
  );
});
