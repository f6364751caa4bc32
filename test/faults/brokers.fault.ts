import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, resume, startFaultClusters } from '../support/faults/clusters.ts';
import { compare, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { describeExit, tail, waitFor } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import {
  type Mode,
  copiedSoFar,
  elapsed,
  expectExit,
  failedPartitions,
  loadSequenced,
  makeJob,
  startCopy,
  topicName,
  verify,
} from '../support/faults/scenario.ts';

// Broker faults during one run of `kreroute copy`, which must ride them out on its own:
// restarts of the source and the destination broker, and a destination that stops answering.

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('brokers');
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

const RESTARTS_EACH = 3;
const MODES = ['exactly-once', 'at-least-once'] as const satisfies Mode[];

for (const mode of MODES) {
  test(`${mode}: source and destination brokers restarted ${RESTARTS_EACH} times each during a copy; it finishes and verify passes`, {
    timeout: 12 * 60_000,
  }, async () => {
    const started = Date.now();
    const partitions = 4;
    const perPartition = 15_000;
    const topic = topicName(`restarts-${mode}`);
    await createTopic(clusters.source.bootstrap, topic, partitions);
    await loadSequenced(clusters.source.bootstrap, topic, partitions, perPartition, { tag: 'restart' });
    const job = await makeJob(clusters, `restarts-${mode}`, mode, { topics: [topic] });
    const total = partitions * perPartition;
    assert.equal(job.plan.estimate.records, total);

    // 1000 records/s, at most 1 MiB fetched ahead (so an at-least-once copy cannot run far ahead of
    // a destination that is down): a minute of copying, and each restart follows some progress.
    const run = startCopy(job, ['--max-rate', '1000', '--memory-budget', '1m']);
    const restarts: string[] = [];
    let mark = 0;
    for (let i = 0; i < RESTARTS_EACH * 2; i++) {
      await waitFor(
        `progress before restart ${i + 1}`,
        120_000,
        async () => ((await copiedSoFar(job)) >= mark + 1000 || run.exit() !== null ? true : undefined),
        200,
      );
      if (run.exit() !== null) assert.fail(`the copy ended (${describeExit(run.exit())}) before restart ${i + 1}:\n${tail(run.stderr())}`);
      const broker = i % 2 === 0 ? clusters.source : clusters.destination;
      const at = await copiedSoFar(job);
      const t0 = Date.now();
      await broker.restart();
      restarts.push(`${i % 2 === 0 ? 'src' : 'dst'} ${elapsed(t0).toFixed(0)}s@${at}`);
      mark = await copiedSoFar(job);
    }
    const exit = await run.waitExit(6 * 60_000, 'the copy');
    expectExit(run, exit, 0, 'the copy through broker restarts');

    const report = await verify(clusters, job);
    const oracle = compare(await kcatTopic(clusters.source.bootstrap, topic, partitions), await kcatTopic(clusters.destination.bootstrap, topic, partitions));
    const retries = run
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('retrying')).length;
    await reportScenario({
      scenario: `broker restarts, ${mode}`,
      faults: `${RESTARTS_EACH} source + ${RESTARTS_EACH} destination restarts (SIGTERM, same ports and data)`,
      messages: total,
      lost: oracle.lost,
      duplicated: oracle.duplicated,
      seconds: elapsed(started),
      notes: `one copy run, exit 0; verify ${report.passed ? 'passed' : 'FAILED'}; restarts (broker, seconds, records copied when it began): ${restarts.join(', ')}; ${retries} retry line(s)`,
    });
    assert.equal(report.passed, true, failedPartitions(report));
    assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
  });
}

const BLACKHOLE_MS = 30_000;

for (const mode of MODES) {
  test(`${mode}: the destination stops answering for ${BLACKHOLE_MS / 1000} s mid-copy (SIGSTOP); the copy waits, says so, and finishes`, {
    timeout: 10 * 60_000,
  }, async () => {
    const started = Date.now();
    const partitions = 4;
    const perPartition = 15_000;
    const topic = topicName(`blackhole-${mode}`);
    await createTopic(clusters.source.bootstrap, topic, partitions);
    await loadSequenced(clusters.source.bootstrap, topic, partitions, perPartition, { tag: 'blackhole' });
    const job = await makeJob(clusters, `blackhole-${mode}`, mode, { topics: [topic] });
    const total = partitions * perPartition;

    const lines: Array<{ at: number; line: string }> = [];
    const run = startCopy(job, ['--max-rate', '1500']);
    run.child.stderr!.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim()) lines.push({ at: Date.now(), line });
    });
    await waitFor('the copy to make progress', 90_000, async () => ((await copiedSoFar(job)) > 0 || run.exit() !== null ? true : undefined));
    await sleep(3_000);
    if (run.exit() !== null) assert.fail(`the copy ended (${describeExit(run.exit())}) before the blackhole:\n${tail(run.stderr())}`);
    const before = await copiedSoFar(job);
    const pid = clusters.destination.pid;
    const stoppedAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(BLACKHOLE_MS);
    } finally {
      resume(pid);
    }
    const resumedAt = Date.now();
    const exit = await run.waitExit(6 * 60_000, 'the copy');
    expectExit(run, exit, 0, 'the copy through a 30 s blackhole');

    const said = lines.filter((l) => l.at >= stoppedAt && /retry|waiting|unreachable|cannot reach/i.test(l.line));
    const firstSaid = said[0] ? `${((said[0].at - stoppedAt) / 1000).toFixed(0)} s after the stop: "${said[0].line.slice(0, 120)}"` : 'nothing';
    const report = await verify(clusters, job);
    const oracle = compare(await kcatTopic(clusters.source.bootstrap, topic, partitions), await kcatTopic(clusters.destination.bootstrap, topic, partitions));
    await reportScenario({
      scenario: `destination unreachable ${BLACKHOLE_MS / 1000} s, ${mode}`,
      faults: `SIGSTOP of the destination broker for ${BLACKHOLE_MS / 1000} s at ${before} copied`,
      messages: total,
      lost: oracle.lost,
      duplicated: oracle.duplicated,
      seconds: elapsed(started),
      notes: `one copy run, exit 0, finished ${((Date.now() - resumedAt) / 1000).toFixed(0)} s after SIGCONT; verify ${report.passed ? 'passed' : 'FAILED'}; said so: ${firstSaid}; ${said.length} such line(s)`,
    });
    assert.ok(said.length > 0, `the copy said on stderr that it was waiting or retrying:\n${tail(run.stderr())}`);
    assert.equal(report.passed, true, failedPartitions(report));
    assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
  });
}
