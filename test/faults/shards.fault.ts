import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyPlan } from '../../src/index.ts';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { type KeyedLoad, kcatTenantValues, loadKeyed } from '../support/faults/keyed-data.ts';
import { killLoop } from '../support/faults/kill-runs.ts';
import { compare, compareSpread, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { reportScenario, scenarioRandom } from '../support/faults/report.ts';
import { type Mode, elapsed, failedPartitions, makeJob, topicName } from '../support/faults/scenario.ts';

// One plan, three shards copied at once by three processes, each killed -9 at full speed again and
// again (timed from its "starting/resuming" line) and restarted. At-least-once shard 0 restarts in
// a fresh state folder every time, as if rescheduled on another machine: it must resume from its
// checkpoint on the destination. Then verify of the whole plan, from a fresh state folder, and
// the kcat oracle. On one broker per cluster and on three.

interface ShardCase {
  name: string;
  load: KeyedLoad;
  mapping: 'same' | 'key-hash';
  copyArgs: string[];
  /** Kill this long after a run's start line, ms: [min, max) (small records move fast: earlier). */
  delayMs: [number, number];
}

const SHARDS = 3;
const KILLS = 3;
const PARTITIONS = 8;
const cases: ShardCase[] = [
  {
    name: 'forwarded lz4 batches',
    load: { partitions: PARTITIONS, perPartition: 30_000, valueBytes: 1024, lz4: true, incompressible: true, tenantShare: 1 },
    mapping: 'same',
    copyArgs: [],
    delayMs: [50, 500],
  },
  {
    name: 'small batches joined',
    load: { partitions: PARTITIONS, perPartition: 150_000, valueBytes: 60, lz4: false, incompressible: false, tenantShare: 1 },
    mapping: 'same',
    copyArgs: [],
    delayMs: [20, 200],
  },
  {
    name: 'key-hash, lz4',
    load: { partitions: PARTITIONS, perPartition: 15_000, valueBytes: 1024, lz4: true, incompressible: false, tenantShare: 1 },
    mapping: 'key-hash',
    copyArgs: [],
    delayMs: [50, 500],
  },
];
const SCENARIO_MS = 8 * 60_000;

for (const nodes of [1, 3] as const) {
  describe(`${nodes} broker(s) per cluster`, () => {
    let clusters: FaultClusters;
    const sources = new Map<string, Promise<string>>();
    const sourceFor = (c: ShardCase): Promise<string> => {
      let topic = sources.get(c.name);
      if (!topic) {
        const name = topicName(`shards${nodes}-${c.name.replace(/[^a-z0-9]+/g, '-')}`);
        topic = createTopic(clusters.source.bootstrap, name, c.load.partitions)
          .then(() => loadKeyed(clusters.source.bootstrap, name, c.load))
          .then(() => name);
        sources.set(c.name, topic);
      }
      return topic;
    };
    before(
      async () => {
        clusters = await startFaultClusters(`shards${nodes}`, { nodes });
      },
      { timeout: 5 * 60_000 },
    );
    after(async () => {
      await clusters?.stop();
    });

    // Three brokers are slower to start and share the two cores with six JVMs: the key-hash and forwarded paths only.
    for (const c of nodes === 1 ? cases : cases.filter((x) => x.name !== 'small batches joined')) {
      for (const mode of ['exactly-once', 'at-least-once'] as const satisfies Mode[]) {
        test(`${mode}, ${c.name}: ${SHARDS} shards at once, each killed -9 ${KILLS} times unthrottled; verify of the whole plan passes, nothing lost or doubled`, {
          timeout: SCENARIO_MS + 5 * 60_000,
        }, async () => {
          const source = await sourceFor(c);
          const started = Date.now();
          const destinationTopic = `${source}-${mode}`;
          const job = await makeJob(clusters, `shards${nodes}-${mode}`, mode, { topics: [source], destinationTopic, mapping: c.mapping });
          const seeds: number[] = [];
          const loops = await Promise.all(
            [...Array(SHARDS).keys()].map((index) => {
              const { random, seed } = scenarioRandom(`shards${nodes}-${c.name}-${mode}-${index}`);
              seeds.push(seed);
              // Shard 0 of an at-least-once copy moves to "another machine" (a new state folder) at every restart.
              const stateArgs = (run: number): string[] =>
                mode === 'at-least-once' && index === 0 ? ['--state-dir', join(job.workDir, `machine-${run}`)] : [];
              return killLoop(job, {
                kills: KILLS,
                delayMs: c.delayMs,
                random,
                extraArgs: (run) => ['--shard', `${index}/${SHARDS}`, ...c.copyArgs, ...stateArgs(run)],
                deadline: started + SCENARIO_MS,
              });
            }),
          );
          const report = await verifyPlan(job.plan, {
            source: clusters.sourceSettings,
            destination: clusters.destinationSettings,
            stateDir: join(job.workDir, 'verifier'),
          });
          const expected = await kcatTenantValues(clusters.source.bootstrap, source, c.load.partitions, null);
          const actual = await kcatTopic(clusters.destination.bootstrap, destinationTopic, c.load.partitions);
          const oracle = c.mapping === 'same' ? compare(expected, actual) : compareSpread(expected, actual);
          const kills = loops.reduce((sum, l) => sum + l.kills, 0);
          await reportScenario({
            scenario: `${SHARDS} shards, kill -9 loops, ${mode}, ${c.name}, ${nodes} broker(s)`,
            faults: `${kills} × SIGKILL ${c.delayMs[0]}–${c.delayMs[1]} ms after a shard's start line, unthrottled (seeds ${seeds.join(',')})`,
            messages: oracle.expected,
            lost: oracle.lost,
            duplicated: oracle.duplicated,
            seconds: elapsed(started),
            notes: `verify ${report.passed ? 'passed' : 'FAILED'}; delays ${loops.map((l) => l.delays.join(',')).join(' | ')} ms; finished before a kill: ${loops.map((l) => l.finishedEarly).join(',')}; foreign ${oracle.foreign}, out of order ${oracle.outOfOrder}`,
          });
          assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
          assert.equal(report.passed, true, failedPartitions(report));
          assert.ok(kills >= SHARDS, `at least ${SHARDS} kills landed while data moved (${kills})`);
        });
      }
    }
  });
}
