import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueName } from '../support/clusters.ts';
import { sides } from '../support/engine.ts';
import { createTopic } from '../support/fixtures.ts';
import { kcatTenantValues, loadKeyed } from '../support/faults/keyed-data.ts';
import { killLoop } from '../support/faults/kill-runs.ts';
import { compare, compareSpread, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { type JobClusters, type Mode, failedPartitions, makeJob, verify } from '../support/faults/scenario.ts';

// The bounded part of the fault suite's unthrottled kill loops (test/faults/kill-paths.fault.ts)
// that `npm test` runs: a step written as several batches (records spread by key, lz4 batches
// re-encoded) is where a kill used to leave duplicates behind.

const PARTITIONS = 4;
const cases: Array<{ mode: Mode; mapping: 'same' | 'key-hash'; args: string[]; what: string }> = [
  { mode: 'at-least-once', mapping: 'key-hash', args: [], what: 'records spread by key' },
  { mode: 'at-least-once', mapping: 'same', args: ['--no-passthrough'], what: 'lz4 batches re-encoded' },
  { mode: 'exactly-once', mapping: 'key-hash', args: [], what: 'records spread by key' },
];

function clusters(): JobClusters {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  return { sourceSettings: source, destinationSettings: destination, source: { bootstrap: sourceBootstrap }, destination: { bootstrap: destinationBootstrap } };
}

let seed = 1;
const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

for (const c of cases) {
  test(`${c.mode}, ${c.what}: kill -9 three times while data moves, unthrottled; nothing lost or written twice`, async () => {
    const both = clusters();
    const topic = uniqueName(`crash-paths-${c.mode}-${c.mapping}`);
    await createTopic(both.source.bootstrap, topic, PARTITIONS);
    await loadKeyed(both.source.bootstrap, topic, {
      partitions: PARTITIONS,
      perPartition: 25_000,
      valueBytes: 1024,
      lz4: true,
      incompressible: false,
      tenantShare: 1,
    });
    const job = await makeJob(both, 'crash-paths', c.mode, {
      topics: [topic],
      destinationTopic: `${topic}-copy`,
      mapping: c.mapping,
      createTopics: true,
      exact: false,
    });
    const loop = await killLoop(job, { kills: 3, delayMs: [50, 450], random, extraArgs: [...c.args, '--memory-budget', '4m'], deadline: Date.now() + 120_000 });
    const expected = await kcatTenantValues(both.source.bootstrap, topic, PARTITIONS, null);
    const actual = await kcatTopic(both.destination.bootstrap, `${topic}-copy`, PARTITIONS);
    const oracle = c.mapping === 'same' ? compare(expected, actual) : compareSpread(expected, actual);
    assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
    const report = await verify(both, job);
    assert.equal(report.passed, true, failedPartitions(report));
    assert.ok(loop.kills >= 1, `a kill landed while data moved (delays ${loop.delays.join(',')})`);
  });
}
