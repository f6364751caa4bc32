import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, resume, startFaultClusters } from '../support/faults/clusters.ts';
import { compare, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { describeExit, tail, waitFor } from '../support/faults/processes.ts';
import { copiedSoFar, expectExit, failedPartitions, loadSequenced, makeJob, startCopy, topicName, verify } from '../support/faults/scenario.ts';

// The bounded part of the fault suite (npm run test:faults) that runs with every `npm test`:
// one exactly-once copy rides out a restart of each broker and a destination that stops answering.
// It needs brokers of its own, since it restarts them.

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('ci');
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

test('exactly-once copy through a source restart, a destination restart and 8 s of a silent destination: it says it waits, finishes, nothing lost or doubled', {
  timeout: 8 * 60_000,
}, async () => {
  const partitions = 4;
  const perPartition = 5_000;
  const topic = topicName('ci-brokers');
  await createTopic(clusters.source.bootstrap, topic, partitions);
  await loadSequenced(clusters.source.bootstrap, topic, partitions, perPartition, { tag: 'ci' });
  const job = await makeJob(clusters, 'ci-brokers', 'exactly-once', { topics: [topic] });

  const run = startCopy(job, ['--max-rate', '1000', '--memory-budget', '1m']);
  const progressed = async (beyond: number, what: string): Promise<void> => {
    await waitFor(what, 120_000, async () => ((await copiedSoFar(job)) > beyond || run.exit() !== null ? true : undefined), 200);
    if (run.exit() !== null) assert.fail(`the copy ended (${describeExit(run.exit())}) before ${what}:\n${tail(run.stderr())}`);
  };
  await progressed(1_000, 'the source restart');
  await clusters.source.restart();
  await progressed((await copiedSoFar(job)) + 1_000, 'the destination restart');
  await clusters.destination.restart();
  await progressed((await copiedSoFar(job)) + 1_000, 'the pause');
  const stoppedAt = run.stderr().length;
  process.kill(clusters.destination.pid, 'SIGSTOP');
  try {
    await sleep(8_000);
  } finally {
    resume(clusters.destination.pid);
  }
  const said = run.stderr().slice(stoppedAt);
  const exit = await run.waitExit(5 * 60_000, 'the copy');
  expectExit(run, exit, 0, 'the copy through broker faults');

  assert.match(said, /waiting for destination .* no answer for \d+ s/, `while the destination was paused, the copy said so:\n${tail(run.stderr())}`);
  const report = await verify(clusters, job);
  assert.equal(report.passed, true, failedPartitions(report));
  const oracle = compare(await kcatTopic(clusters.source.bootstrap, topic, partitions), await kcatTopic(clusters.destination.bootstrap, topic, partitions));
  assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
  assert.equal(oracle.expected, partitions * perPartition);
  assert.equal(oracle.found, partitions * perPartition);
});
