import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ERROR_CODES } from '../../src/index.ts';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { compare, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { type Proc, describeExit, tail, waitFor } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import { type Mode, copiedSoFar, elapsed, failedPartitions, loadSequenced, makeJob, startCopy, topicName, verify } from '../support/faults/scenario.ts';

// Two copiers on one exactly-once job: the transactional id derives from the plan, so the later
// one fences the earlier; whatever the interleaving, nothing is written twice.

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('fencing');
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

const FENCED_EXIT = ERROR_CODES.FENCED.exit;
const PARTITIONS = 4;

/** What one copier did: fenced (exit 7, FENCED), locked out (exit 7, RESUME_CONFLICT), found the job complete, or copied to the end. */
function outcome(proc: Proc): 'fenced' | 'locked out' | 'found complete' | 'finished' | string {
  const exit = proc.exit();
  if (exit?.code === FENCED_EXIT && /kreroute: FENCED/.test(proc.stderr())) return 'fenced';
  if (exit?.code === ERROR_CODES.RESUME_CONFLICT.exit && /kreroute: RESUME_CONFLICT/.test(proc.stderr())) return 'locked out';
  if (exit?.code === 0 && /already copied completely/.test(proc.stderr() + proc.stdout())) return 'found complete';
  if (exit?.code === 0) return 'finished';
  return `${describeExit(exit)}: ${tail(proc.stderr(), 3)}`;
}

async function seeded(name: string, perPartition: number, mode: Mode = 'exactly-once') {
  const topic = topicName(name);
  await createTopic(clusters.source.bootstrap, topic, PARTITIONS);
  await loadSequenced(clusters.source.bootstrap, topic, PARTITIONS, perPartition, { tag: name });
  const job = await makeJob(clusters, name, mode, { topics: [topic] });
  return { topic, job, total: PARTITIONS * perPartition };
}

async function check(topic: string, job: Awaited<ReturnType<typeof seeded>>['job']) {
  const report = await verify(clusters, job);
  const oracle = compare(await kcatTopic(clusters.source.bootstrap, topic, PARTITIONS), await kcatTopic(clusters.destination.bootstrap, topic, PARTITIONS));
  return { report, oracle };
}

test('exactly-once: a second copier of the same plan started mid-copy fences the first; no duplicates, no loss', { timeout: 8 * 60_000 }, async () => {
  const started = Date.now();
  const { topic, job, total } = await seeded('fence-join', 10_000);
  const first = startCopy(job, ['--max-rate', '3000']);
  await waitFor('the first copier to make progress', 90_000, async () => ((await copiedSoFar(job)) > 0 || first.exit() !== null ? true : undefined));
  assert.equal(first.exit(), null, `the first copier is still running when the second starts:\n${tail(first.stderr())}`);
  const second = startCopy(job);
  await Promise.all([first.waitExit(5 * 60_000, 'the first copier'), second.waitExit(5 * 60_000, 'the second copier')]);
  const { report, oracle } = await check(topic, job);
  await reportScenario({
    scenario: 'two copiers, second joins mid-copy (exactly-once)',
    faults: 'a second `kreroute copy` of the same plan while the first runs',
    messages: total,
    lost: oracle.lost,
    duplicated: oracle.duplicated,
    seconds: elapsed(started),
    notes: `first: ${outcome(first)}; second: ${outcome(second)}; verify ${report.passed ? 'passed' : 'FAILED'}`,
  });
  assert.equal(outcome(first), 'fenced', `the first copier is fenced (exit ${FENCED_EXIT}, FENCED):\n${tail(first.stderr())}`);
  assert.equal(outcome(second), 'finished', `the second copier finishes the job:\n${tail(second.stderr())}`);
  assert.equal(report.passed, true, failedPartitions(report));
  assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
});

test('exactly-once: two copiers of the same plan started at the same instant; one is fenced or finds the job done; no duplicates, no loss', {
  timeout: 10 * 60_000,
}, async () => {
  const rounds = 3;
  for (let round = 1; round <= rounds; round++) {
    const started = Date.now();
    const { topic, job, total } = await seeded(`fence-race-${round}`, 5_000);
    const copiers = [startCopy(job, ['--max-rate', '5000']), startCopy(job, ['--max-rate', '5000'])];
    await Promise.all(copiers.map((c, i) => c.waitExit(5 * 60_000, `copier ${i + 1}`)));
    const outcomes = copiers.map(outcome);
    // If a copier failed for another reason, the job may be unfinished: one more run must finish it without duplicating.
    let extra = '';
    if (!outcomes.some((o) => o === 'finished')) {
      const again = startCopy(job);
      await again.waitExit(5 * 60_000, 'the copy run after the race');
      extra = `; a third run: ${outcome(again)}`;
    }
    const { report, oracle } = await check(topic, job);
    await reportScenario({
      scenario: `two copiers at once, round ${round} (exactly-once)`,
      faults: 'two `kreroute copy` of the same plan started together',
      messages: total,
      lost: oracle.lost,
      duplicated: oracle.duplicated,
      seconds: elapsed(started),
      notes: `copier 1: ${outcomes[0]}; copier 2: ${outcomes[1]}${extra}; verify ${report.passed ? 'passed' : 'FAILED'}`,
    });
    for (const [i, o] of outcomes.entries()) assert.ok(['fenced', 'found complete', 'finished'].includes(o), `copier ${i + 1}: ${o}`);
    assert.ok(outcomes.includes('finished'), `one copier finished the job: ${outcomes.join(' / ')}`);
    assert.ok(outcomes.includes('fenced') || outcomes.includes('found complete'), `the other was fenced or found the job complete: ${outcomes.join(' / ')}`);
    assert.equal(report.passed, true, failedPartitions(report));
    assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
  }
});

test('at-least-once: two copiers of the same plan and state folder started at the same instant; one is locked out (the state folder lock) or finds the job done; no duplicates, no loss', {
  timeout: 6 * 60_000,
}, async () => {
  const started = Date.now();
  const { topic, job, total } = await seeded('lock-race', 5_000, 'at-least-once');
  const copiers = [startCopy(job, ['--max-rate', '5000']), startCopy(job, ['--max-rate', '5000'])];
  await Promise.all(copiers.map((c, i) => c.waitExit(5 * 60_000, `copier ${i + 1}`)));
  const outcomes = copiers.map(outcome);
  const { report, oracle } = await check(topic, job);
  await reportScenario({
    scenario: 'two copiers at once (at-least-once)',
    faults: 'two `kreroute copy` of the same plan and state folder started together',
    messages: total,
    lost: oracle.lost,
    duplicated: oracle.duplicated,
    seconds: elapsed(started),
    notes: `copier 1: ${outcomes[0]}; copier 2: ${outcomes[1]}; verify ${report.passed ? 'passed' : 'FAILED'}`,
  });
  assert.ok(outcomes.includes('finished'), `one copier finished the job: ${outcomes.join(' / ')}`);
  assert.ok(
    outcomes.includes('locked out') || outcomes.includes('found complete'),
    `the other was locked out or found the job complete: ${outcomes.join(' / ')}`,
  );
  assert.equal(report.passed, true, failedPartitions(report));
  assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
});
