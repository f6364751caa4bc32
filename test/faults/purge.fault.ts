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
/**
 * How each round kills purge (SIGKILL): at its fault point before the nth topic's deletes, so that
 * exactly the first n − 1 topics are purged (mid-way, every time); or 0–40 ms after it announces
 * the deletes, wherever that lands.
 */
const ROUNDS: Array<{ beforeTopic: number } | { afterAnnounceMs: 'random' }> = [{ beforeTopic: 2 }, { beforeTopic: 3 }, { afterAnnounceMs: 'random' }];

test(`purge killed (-9) mid-way (between its topics) and as it starts deleting, run again: it completes; every log start ends exactly at the plan's end, and the ${AFTER_PLAN} records per partition written after planning stay`, {
  timeout: 15 * 60_000,
}, async () => {
  const { random, seed } = scenarioRandom('purge');
  const outcomes: string[] = [];
  let midway = 0;
  const started = Date.now();
  for (const [index, how] of ROUNDS.entries()) {
    const round = index + 1;
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

    const delay = 'afterAnnounceMs' in how ? Math.floor(random() * 40) : 0;
    let announcedAt: number | null = null;
    const purge = runCli(['purge', job.planFile, '--execute', '--json', '--source', clusters.source.bootstrap, '--state-dir', job.stateDir], {
      ...('beforeTopic' in how ? { env: { KREROUTE_FAULT_POINT: `before-purge-topic@${how.beforeTopic}:kill` } } : {}),
      onStdoutLine: (line) => {
        if (announcedAt === null && line.includes('"stage":"purge"')) {
          announcedAt = Date.now();
          if ('afterAnnounceMs' in how) setTimeout(() => purge.kill('SIGKILL'), delay);
        }
      },
    });
    const exit = await purge.waitExit(2 * 60_000, 'the first purge');
    if (announcedAt === null) assert.fail(`purge never announced its deletes (${describeExit(exit)}):\n${tail(purge.stderr())}`);
    const after: bigint[][] = [];
    for (const t of topics) after.push(await logStarts(clusters.source.bootstrap, t, [...Array(PARTITIONS).keys()]));
    const purgedTopics: string[] = [];
    let purged = 0;
    for (const [i, t] of topics.entries()) {
      for (const [p, start] of after[i]!.entries()) {
        assert.ok(start === 0n || start === ends.get(t)![p], `${t}[${p}]: the log start after the kill is the plan's start or end, never elsewhere (${start})`);
        if (start === ends.get(t)![p]) purged++;
      }
      if (after[i]!.every((start, p) => start === ends.get(t)![p])) purgedTopics.push(t);
    }
    const total = TOPICS * PARTITIONS;
    if ('beforeTopic' in how) {
      // Purge deletes topic by topic, in plan order: the kill leaves exactly the topics before it purged.
      assert.equal(exit.signal, 'SIGKILL', `purge was killed at its fault point (${describeExit(exit)}):\n${tail(purge.stderr())}`);
      const planOrder = job.plan.topics.map((t) => t.source);
      assert.deepEqual([...purgedTopics].sort(), planOrder.slice(0, how.beforeTopic - 1).sort(), 'the topics purged before the kill, whole');
      assert.equal(purged, (how.beforeTopic - 1) * PARTITIONS, 'no partition of a later topic was purged');
    }
    const kind =
      exit.signal === 'SIGKILL'
        ? purged === 0
          ? 'killed before deleting'
          : purged === total
            ? 'killed after deleting all'
            : 'killed mid-way'
        : `finished first (${describeExit(exit)})`;
    if (kind === 'killed mid-way') midway++;
    const at = 'beforeTopic' in how ? `before topic ${how.beforeTopic}` : `+${delay} ms`;
    outcomes.push(`r${round}: ${at}, ${kind}, ${purged}/${total} purged`);

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
    await sleep(200);
  }
  assert.ok(midway >= 2, `purge was killed mid-way in ${midway} round(s): ${outcomes.join('; ')}`);
  await reportScenario({
    scenario: 'purge killed mid-way',
    faults: `SIGKILL of purge at its fault point before its 2nd and before its 3rd topic, and 0–40 ms after it announced the deletes (seed ${seed})`,
    messages: ROUNDS.length * TOPICS * PARTITIONS * PER_PARTITION,
    lost: 0,
    duplicated: 0,
    seconds: elapsed(started),
    notes: `${midway} round(s) killed mid-way; ${outcomes.join('; ')}; every rerun exit 0, log starts = plan ends, ${AFTER_PLAN}/partition later records kept`,
  });
});
