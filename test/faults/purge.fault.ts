import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { kcatValues } from '../support/faults/oracle.ts';
import { describeExit, runCli, tail } from '../support/faults/processes.ts';
import { reportScenario, scenarioRandom } from '../support/faults/report.ts';
import { elapsed, expectExit, failedPartitions, loadSequenced, logStarts, makeJob, startCopy, topicName, verify } from '../support/faults/scenario.ts';

// Purge killed mid-way: running it again completes, and nothing beyond the verified plan goes.

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('purge');
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

const TOPICS = 3;
const PARTITIONS = 4;
const PER_PARTITION = 2_000;
const AFTER_PLAN = 100;
const MAX_ROUNDS = 6;

test(`purge killed (-9) as it starts deleting, run again: it completes; every log start ends exactly at the plan's end, and the ${AFTER_PLAN} records per partition written after planning stay`, {
  timeout: 15 * 60_000,
}, async () => {
  const { random, seed } = scenarioRandom('purge');
  const outcomes: string[] = [];
  let midway = 0;
  let rounds = 0;
  const started = Date.now();
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    rounds = round;
    const topics = Array.from({ length: TOPICS }, (_, i) => topicName(`purge-r${round}-t${i}`));
    for (const t of topics) {
      await createTopic(clusters.source.bootstrap, t, PARTITIONS);
      await loadSequenced(clusters.source.bootstrap, t, PARTITIONS, PER_PARTITION, { tag: 'purge' });
    }
    const job = await makeJob(clusters, `purge-r${round}`, 'exactly-once', { topics, exact: false });
    const copy = startCopy(job);
    expectExit(copy, await copy.waitExit(3 * 60_000, 'the copy'), 0, 'the copy');
    const report = await verify(clusters, job);
    assert.equal(report.passed, true, failedPartitions(report));
    // Records written after planning lie past every plan end: purge must leave them.
    for (const t of topics) {
      await produce(
        clusters.source.bootstrap,
        t,
        new Map([...Array(PARTITIONS).keys()].map((p) => [p, Array.from({ length: AFTER_PLAN }, (_, i) => record(`late-${i}`, `late-p${p}-${i}`))])),
      );
    }
    const ends = new Map(job.plan.topics.map((t) => [t.source, t.partitions.map((p) => BigInt(p.end))]));

    // Kill when purge announces the deletes (its stage event, --json on stdout), after 0–40 ms more.
    const delay = Math.floor(random() * 40);
    let killedAt: number | null = null;
    const purge = runCli(['purge', job.planFile, '--execute', '--json', '--source', clusters.source.bootstrap, '--state-dir', job.stateDir], {
      onStdoutLine: (line) => {
        if (killedAt === null && line.includes('"stage":"purge"')) {
          killedAt = Date.now();
          setTimeout(() => purge.kill('SIGKILL'), delay);
        }
      },
    });
    const exit = await purge.waitExit(2 * 60_000, 'the first purge');
    if (killedAt === null) assert.fail(`purge never announced its deletes (${describeExit(exit)}):\n${tail(purge.stderr())}`);
    const after: bigint[][] = [];
    for (const t of topics) after.push(await logStarts(clusters.source.bootstrap, t, [...Array(PARTITIONS).keys()]));
    let purged = 0;
    for (const [i, t] of topics.entries()) {
      for (const [p, start] of after[i]!.entries()) {
        assert.ok(start === 0n || start === ends.get(t)![p], `${t}[${p}]: the log start after the kill is the plan's start or end, never elsewhere (${start})`);
        if (start === ends.get(t)![p]) purged++;
      }
    }
    const total = TOPICS * PARTITIONS;
    const kind =
      exit.signal === 'SIGKILL'
        ? purged === 0
          ? 'killed before deleting'
          : purged === total
            ? 'killed after deleting all'
            : 'killed mid-way'
        : `finished first (${describeExit(exit)})`;
    if (kind === 'killed mid-way') midway++;
    outcomes.push(`r${round}: +${delay} ms, ${kind}, ${purged}/${total} purged`);

    const again = runCli(['purge', job.planFile, '--execute', '--source', clusters.source.bootstrap, '--state-dir', job.stateDir]);
    expectExit(again, await again.waitExit(2 * 60_000, 'the second purge'), 0, 'purge run again');
    for (const t of topics) {
      assert.deepEqual(await logStarts(clusters.source.bootstrap, t, [...Array(PARTITIONS).keys()]), ends.get(t), `${t}: every log start is the plan's end`);
      for (let p = 0; p < PARTITIONS; p++) {
        assert.deepEqual(
          await kcatValues(clusters.source.bootstrap, t, p),
          Array.from({ length: AFTER_PLAN }, (_, i) => `late-p${p}-${i}`),
          `${t}[${p}]: the records after the plan are all still there`,
        );
      }
    }
    if (midway > 0 && round >= 2) break;
    await sleep(200);
  }
  await reportScenario({
    scenario: 'purge killed mid-way',
    faults: `SIGKILL of purge 0–40 ms after it announced the deletes, ${rounds} round(s) (seed ${seed})`,
    messages: rounds * TOPICS * PARTITIONS * PER_PARTITION,
    lost: 0,
    duplicated: 0,
    seconds: elapsed(started),
    notes: `${midway} round(s) killed mid-way; ${outcomes.join('; ')}; every rerun exit 0, log starts = plan ends, ${AFTER_PLAN}/partition later records kept`,
  });
});
