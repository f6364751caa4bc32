import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyPlan } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatTopic } from '../support/faults/oracle.ts';
import { damageBatch, partitionDir } from '../support/source-damage.ts';

const CASES = [
  // 150 KB batches are forwarded whole with their CRC updated: the destination broker refuses it.
  { what: 'a forwarded batch', valueBytes: 3_000, expect: 'the destination refuses it', message: /destination refused a batch as corrupt/ },
  // 3 KB batches are joined, which takes them apart: kreroute checks their CRC first.
  { what: 'a batch to be joined', valueBytes: 50, expect: 'kreroute refuses it', message: /offset 0 does not match its CRC/ },
];

for (const { what, valueBytes, expect, message } of CASES) {
  test(`${what}, damaged on the source's disk: ${expect} (SOURCE_CORRUPT); it is not stored under a fresh CRC`, async (t) => {
    const { sourceBootstrap, destinationBootstrap, source, destination } = sides();
    const topic = uniqueName('corrupt-source');
    await createTopic(sourceBootstrap, topic, 1);
    await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 150 }, (_, i) => record(`k${i}`, `value ${i} `.padEnd(valueBytes, '.')))]]), 50);
    const dir = await partitionDir(topic, 0);
    if (!dir) {
      t.skip('the source broker is not a local test broker: its log files cannot be damaged from here');
      return;
    }
    // Damaged after the plan: plan reads the first record of the range in place and would refuse the batch itself.
    const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
    await damageBatch(dir, 0);
    await assert.rejects(copyPlan(p, { source, destination, stateDir: await stateDir('corrupt-source') }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SOURCE_CORRUPT', error.message);
      assert.match(error.message, message);
      return true;
    });
    // The aborted transaction may leave a marker behind; no record of the damaged batch is there.
    const copied = (await kcatTopic(destinationBootstrap, topic, 1)).get(0) ?? [];
    assert.equal(copied.filter((value) => / ([0-9]|[1-4][0-9]) /.test(`${value}`)).length, 0, 'nothing of the damaged batch reached the destination');
  });
}
