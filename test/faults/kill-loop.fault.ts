import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { type LoadResult, compare, describeComparison, kcatTopic, verifiableProduce } from '../support/faults/oracle.ts';
import { describeExit, tail, waitFor } from '../support/faults/processes.ts';
import { reportScenario, scenarioRandom } from '../support/faults/report.ts';
import { type Mode, copiedSoFar, elapsed, expectExit, failedPartitions, makeJob, startCopy, topicName, verify } from '../support/faults/scenario.ts';

// kill -9 the copier at 20 random instants during a copy of 500k records, resuming each time.
// The source is written by Kafka's VerifiableProducer; the destination is read back by kcat.

const MESSAGES = 500_000;
const PARTITIONS = 8;
const KILLS = 20;
/** Whole-scenario bound, per mode. */
const SCENARIO_MS = 10 * 60_000;

let clusters: FaultClusters;
let truth: LoadResult;
const source = topicName('kill-source');

before(
  async () => {
    clusters = await startFaultClusters('kill');
    await createTopic(clusters.source.bootstrap, source, PARTITIONS);
    truth = await verifiableProduce({
      libsDir: clusters.libsDir,
      bootstrap: clusters.source.bootstrap,
      topic: source,
      messages: MESSAGES,
      valuePrefix: 7,
      workDir: clusters.source.logDir,
      timeoutMs: 5 * 60_000,
    });
    process.stderr.write(
      `[kill-loop] VerifiableProducer wrote ${truth.acked} records in ${truth.seconds.toFixed(1)} s: ${[...truth.values].map(([p, v]) => `p${p}=${v.length}`).join(' ')}\n`,
    );
  },
  { timeout: 10 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

for (const mode of ['exactly-once', 'at-least-once'] as const satisfies Mode[]) {
  test(`${mode}: kill -9 at ${KILLS} random instants during a copy of ${MESSAGES} records; every record arrives (${mode === 'exactly-once' ? 'and only once' : 'duplicates reported'}), in order`, {
    timeout: SCENARIO_MS + 5 * 60_000,
  }, async () => {
    const started = Date.now();
    const deadline = started + SCENARIO_MS;
    const { random, seed } = scenarioRandom(`kill-loop-${mode}`);
    process.stderr.write(`[kill-loop ${mode}] seed ${seed}\n`);
    const job = await makeJob(clusters, `kill-${mode}`, mode, { topics: [source], destinationTopic: `${source}-${mode}`, exact: false });
    assert.equal(job.plan.estimate.records, MESSAGES);

    let last = 0;
    let kills = 0;
    let endedBeforeKill = 0;
    const delays: number[] = [];
    for (let i = 1; i <= KILLS; i++) {
      assert.ok(Date.now() < deadline, `scenario bound of ${SCENARIO_MS / 60_000} min passed after ${kills} kills`);
      // Slow enough that the kills still to come all land before the end: 10 s of copying per kill
      // left, where a run copies for 2–5 s (a throttled copy still lets one batch pass whole).
      const rate = Math.max(500, Math.min(50_000, Math.floor((MESSAGES - last) / ((KILLS - i + 1) * 10))));
      const run = startCopy(job, ['--max-rate', String(rate)]);
      await waitFor(`run ${i} to make progress`, 90_000, async () => ((await copiedSoFar(job)) > last || run.exit() !== null ? true : undefined));
      if (run.exit() !== null) assert.fail(`run ${i} ended before making progress (${describeExit(run.exit())}):\n${tail(run.stderr())}`);
      const delay = 500 + Math.floor(random() * 2500);
      delays.push(delay);
      await sleep(delay);
      if (run.exit() === null) {
        run.kill('SIGKILL');
        kills++;
      } else {
        endedBeforeKill++;
      }
      const exit = await run.waitExit(30_000, `run ${i}`);
      if (exit.signal !== 'SIGKILL') assert.fail(`run ${i} ended by itself (${describeExit(exit)}) before its kill:\n${tail(run.stderr())}`);
      const progress = await copiedSoFar(job);
      assert.ok(progress >= last, `progress never moves backwards (run ${i}: ${last} → ${progress})`);
      last = progress;
    }
    assert.ok(last < MESSAGES, 'the kills all landed before the copy ended');

    const final = startCopy(job);
    expectExit(final, await final.waitExit(Math.max(60_000, deadline - Date.now()), 'the final copy'), 0, 'the final copy');

    const claimed = await copiedSoFar(job);
    const report = await verify(clusters, job);
    const destination = await kcatTopic(clusters.destination.bootstrap, `${source}-${mode}`, PARTITIONS);
    const oracle = compare(truth.values, destination);
    await reportScenario({
      scenario: `kill -9 loop, ${mode}`,
      faults: `${kills} × SIGKILL, 0.5–3 s after progress (seed ${seed})`,
      messages: MESSAGES,
      lost: oracle.lost,
      duplicated: oracle.duplicated,
      seconds: elapsed(started),
      notes: `kreroute verify ${report.passed ? 'passed' : 'FAILED'}; ${last} copied before the final run; the checkpoint counts ${claimed} copied; kill delays ${delays.join(',')} ms${endedBeforeKill ? `; ${endedBeforeKill} run(s) ended before their kill` : ''}; foreign ${oracle.foreign}, out of order ${oracle.outOfOrder}`,
    });
    assert.equal(oracle.lost, 0, describeComparison(oracle));
    assert.equal(oracle.foreign, 0, describeComparison(oracle));
    assert.equal(oracle.outOfOrder, 0, describeComparison(oracle));
    if (mode === 'exactly-once') {
      assert.equal(oracle.duplicated, 0, describeComparison(oracle));
      assert.equal(report.passed, true, failedPartitions(report));
    } else {
      // At-least-once promises no loss; duplicates are reported above. kreroute's verify counts a
      // duplicate as an extra record, so it passes exactly when there is none.
      assert.equal(report.passed, oracle.duplicated === 0, failedPartitions(report));
    }
  });
}
