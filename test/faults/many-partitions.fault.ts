import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { MOVING } from '../support/faults/kill-runs.ts';
import { compare, describeComparison, kcatValues, kcatWholeTopic } from '../support/faults/oracle.ts';
import { waitFor } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import { type Mode, elapsed, endOffsets, expectExit, failedPartitions, makeJob, startCopy, topicName, verify } from '../support/faults/scenario.ts';

// 1,000 partitions × 500 records: how long a copy takes to start, how many transactions it
// commits (each writes a marker to every partition it wrote), and a kill -9 and resume.

const PARTITIONS = 1000;
const PER_PARTITION = 500;
let clusters: FaultClusters;
const source = topicName('many');

before(
  async () => {
    clusters = await startFaultClusters('many');
    await createTopic(clusters.source.bootstrap, source, PARTITIONS);
    const byPartition = new Map(
      [...Array(PARTITIONS).keys()].map((p) => [p, Array.from({ length: PER_PARTITION }, (_, i) => record(`k${i % 100}`, `m-p${p}-${i}`.padEnd(100, '.')))]),
    );
    await produce(clusters.source.bootstrap, source, byPartition, PER_PARTITION);
  },
  { timeout: 10 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

for (const mode of ['exactly-once', 'at-least-once'] as const satisfies Mode[]) {
  test(`${mode}: ${PARTITIONS} partitions × ${PER_PARTITION} records: start-up, commits, kill -9 and resume`, { timeout: 15 * 60_000 }, async () => {
    const started = Date.now();
    const destinationTopic = `${source}-${mode}`;
    const job = await makeJob(clusters, `many-${mode}`, mode, { topics: [source], destinationTopic, exact: false });
    const first = startCopy(job);
    const firstStart = Date.now();
    await waitFor('the copy to start moving data', 180_000, () => (MOVING.test(first.stderr()) || first.exit() !== null ? true : undefined), 20);
    const startupSeconds = elapsed(firstStart);
    await sleep(1500);
    const killed = first.exit() === null;
    first.kill('SIGKILL');
    await first.waitExit(30_000, 'the first copy');
    const resumed = startCopy(job);
    const resumeStart = Date.now();
    await waitFor('the resumed copy to start moving data', 180_000, () => (MOVING.test(resumed.stderr()) || resumed.exit() !== null ? true : undefined), 20);
    const resumeStartupSeconds = elapsed(resumeStart);
    expectExit(resumed, await resumed.waitExit(600_000, 'the resumed copy'), 0, 'the resumed copy');
    const copySeconds = elapsed(firstStart);

    const report = await verify(clusters, job);
    const expected = await kcatWholeTopic(clusters.source.bootstrap, source);
    const actual = await kcatWholeTopic(clusters.destination.bootstrap, destinationTopic);
    const oracle = compare(expected, actual);
    const ends = await endOffsets(clusters.destination.bootstrap, destinationTopic, PARTITIONS);
    const offsetsUsed = ends.reduce((a, b) => a + b, 0n);
    const commits =
      mode === 'exactly-once'
        ? (await kcatValues(clusters.destination.bootstrap, 'kreroute-checkpoints', 0, { format: '%k' })).filter((k) => k === job.plan.hash).length
        : 0;
    await reportScenario({
      scenario: `${PARTITIONS} partitions × ${PER_PARTITION} records, ${mode}`,
      faults: killed ? 'one SIGKILL 1.5 s after the start line' : 'none (the copy ended before its kill)',
      messages: oracle.expected,
      lost: oracle.lost,
      duplicated: oracle.duplicated,
      seconds: elapsed(started),
      notes: `verify ${report.passed ? 'passed' : 'FAILED'}; start-up ${startupSeconds.toFixed(1)} s, after the kill ${resumeStartupSeconds.toFixed(1)} s; copy ${copySeconds.toFixed(1)} s in all; ${mode === 'exactly-once' ? `${commits} commits (${(commits / copySeconds).toFixed(1)}/s); ` : ''}${offsetsUsed - BigInt(oracle.found)} destination offsets used by markers and aborted writes`,
    });
    assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
    assert.equal(report.passed, true, failedPartitions(report));
  });
}
