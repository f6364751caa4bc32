import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { type KeyedLoad, kcatTenantValues, loadKeyed } from '../support/faults/keyed-data.ts';
import { killLoop } from '../support/faults/kill-runs.ts';
import { compare, compareSpread, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { reportScenario, scenarioRandom } from '../support/faults/report.ts';
import { type Mode, elapsed, failedPartitions, makeJob, topicName, verify } from '../support/faults/scenario.ts';

// kill -9 loops without --max-rate, timed from the copy's "starting/resuming" line, through every
// way a copy moves records: forwarded batches (same mapping), small batches joined, batches
// re-encoded (--no-passthrough on lz4 data), records spread by key (key-hash), and a 10% tenant
// filter on compressible and incompressible data. Each in both delivery modes.

interface PathCase {
  name: string;
  load: KeyedLoad;
  mapping: 'same' | 'key-hash';
  filter: boolean;
  copyArgs: string[];
  kills: number;
  delayMs: [number, number];
}

const PARTITIONS = 8;
const cases: PathCase[] = [
  {
    name: 'forwarded lz4 batches',
    load: { partitions: PARTITIONS, perPartition: 60_000, valueBytes: 1024, lz4: true, incompressible: true, tenantShare: 1 },
    mapping: 'same',
    filter: false,
    copyArgs: [],
    kills: 6,
    delayMs: [50, 400],
  },
  {
    name: 'small batches joined',
    load: { partitions: PARTITIONS, perPartition: 400_000, valueBytes: 60, lz4: false, incompressible: false, tenantShare: 1 },
    mapping: 'same',
    filter: false,
    copyArgs: [],
    kills: 6,
    delayMs: [30, 250],
  },
  {
    name: 're-encoded (--no-passthrough, lz4)',
    load: { partitions: PARTITIONS, perPartition: 25_000, valueBytes: 1024, lz4: true, incompressible: false, tenantShare: 1 },
    mapping: 'same',
    filter: false,
    copyArgs: ['--no-passthrough'],
    kills: 6,
    delayMs: [100, 500],
  },
  {
    name: 'key-hash, lz4',
    load: { partitions: PARTITIONS, perPartition: 25_000, valueBytes: 1024, lz4: true, incompressible: false, tenantShare: 1 },
    mapping: 'key-hash',
    filter: false,
    copyArgs: [],
    kills: 6,
    delayMs: [100, 500],
  },
  {
    name: '10% filter, compressible lz4',
    load: { partitions: 2, perPartition: 500_000, valueBytes: 1024, lz4: true, incompressible: false, tenantShare: 0.1 },
    mapping: 'same',
    filter: true,
    copyArgs: [],
    kills: 6,
    // A resumed at-least-once run read the rest of this topic in under 350 ms (00:58, 7d63ace): kills land sooner.
    delayMs: [30, 250],
  },
  {
    name: '10% filter, incompressible',
    load: { partitions: 2, perPartition: 500_000, valueBytes: 1024, lz4: false, incompressible: true, tenantShare: 0.1 },
    mapping: 'same',
    filter: true,
    copyArgs: [],
    kills: 6,
    delayMs: [50, 400],
  },
];

const SCENARIO_MS = 8 * 60_000;
let clusters: FaultClusters;
const sources = new Map<string, Promise<string>>();

/** The case's source topic, loaded the first time a test of it runs (both modes copy the same one). */
function sourceFor(c: PathCase): Promise<string> {
  let topic = sources.get(c.name);
  if (!topic) {
    const name = topicName(`paths-${c.name.replace(/[^a-z0-9]+/g, '-')}`);
    topic = createTopic(clusters.source.bootstrap, name, c.load.partitions)
      .then(() => loadKeyed(clusters.source.bootstrap, name, c.load))
      .then(() => name);
    sources.set(c.name, topic);
  }
  return topic;
}

before(
  async () => {
    clusters = await startFaultClusters('paths');
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

for (const c of cases) {
  for (const mode of ['exactly-once', 'at-least-once'] as const satisfies Mode[]) {
    test(`${mode}, ${c.name}: kill -9 ${c.kills} times while data moves, unthrottled; nothing lost or written twice, verify agrees`, {
      timeout: SCENARIO_MS + 5 * 60_000,
    }, async () => {
      const source = await sourceFor(c);
      const started = Date.now();
      const { random, seed } = scenarioRandom(`paths-${c.name}-${mode}`);
      const destinationTopic = `${source}-${mode}`;
      const job = await makeJob(clusters, `paths-${mode}`, mode, {
        topics: [source],
        destinationTopic,
        mapping: c.mapping,
        ...(c.filter ? { filter: { kind: 'key-prefix', prefix: 'a:' } } : {}),
      });
      const loop = await killLoop(job, { kills: c.kills, delayMs: c.delayMs, random, extraArgs: c.copyArgs, deadline: started + SCENARIO_MS });
      const report = await verify(clusters, job);
      const expected = await kcatTenantValues(clusters.source.bootstrap, source, c.load.partitions, c.filter ? 'a:' : null);
      const actual = await kcatTopic(clusters.destination.bootstrap, destinationTopic, c.load.partitions);
      const oracle = c.mapping === 'same' ? compare(expected, actual) : compareSpread(expected, actual);
      await reportScenario({
        scenario: `kill -9 loop, ${mode}, ${c.name}`,
        faults: `${loop.kills} × SIGKILL ${c.delayMs[0]}–${c.delayMs[1]} ms after the start line, unthrottled (seed ${seed})`,
        messages: oracle.expected,
        lost: oracle.lost,
        duplicated: oracle.duplicated,
        seconds: elapsed(started),
        notes: `verify ${report.passed ? 'passed' : 'FAILED'}; final run ${loop.finalSeconds.toFixed(1)} s; delays ${loop.delays.join(',')} ms${loop.finishedEarly ? '; the copy finished before a kill' : ''}; foreign ${oracle.foreign}, out of order ${oracle.outOfOrder}`,
      });
      assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
      assert.equal(report.passed, true, failedPartitions(report));
      assert.ok(loop.kills >= 2, `at least two kills landed while data moved (${loop.kills})`);
    });
  }
}
