import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_CODES } from '../../src/index.ts';
import { checkpointPath } from '../../src/checkpoint/copy-checkpoint.ts';
import { DEFAULT_CHECKPOINT_TOPIC, DestinationCheckpointStore } from '../../src/checkpoint/destination-store.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { compare, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { tail, waitFor } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import {
  type Job,
  type Mode,
  copiedSoFar,
  elapsed,
  endOffsets,
  expectExit,
  failedPartitions,
  loadSequenced,
  makeJob,
  startCopy,
  topicName,
  verify,
} from '../support/faults/scenario.ts';

// A corrupt or unreadable checkpoint: a clear error (exit 6), nothing copied on top of it, and —
// once the checkpoint is back — a resume that neither loses nor duplicates.

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('checkpoint');
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

const PARTITIONS = 4;
const PER_PARTITION = 10_000;
const CHECKPOINT_EXIT = ERROR_CODES.CHECKPOINT_CORRUPT.exit;

/** A job whose copy was killed (-9) part-way, with a checkpoint of that progress. */
async function interruptedJob(name: string, mode: Mode): Promise<{ job: Job; topic: string }> {
  const topic = topicName(name);
  await createTopic(clusters.source.bootstrap, topic, PARTITIONS);
  await loadSequenced(clusters.source.bootstrap, topic, PARTITIONS, PER_PARTITION, { tag: name });
  const job = await makeJob(clusters, name, mode, { topics: [topic] });
  const run = startCopy(job, ['--max-rate', '4000']);
  await waitFor('the copy to checkpoint progress', 90_000, async () => ((await copiedSoFar(job)) > 2000 || run.exit() !== null ? true : undefined));
  await sleep(700);
  run.kill('SIGKILL');
  const exit = await run.waitExit(30_000, 'the copy');
  assert.equal(exit.signal, 'SIGKILL', `the copy was still running when killed:\n${tail(run.stderr())}`);
  return { job, topic };
}

/**
 * Runs copy on a damaged checkpoint: it must exit 6 with `code` and write nothing to the
 * destination. (Exactly-once: starting aborts the killed run's open transaction, which appends one
 * abort marker per partition; no record becomes visible to a read_committed reader.)
 */
async function refused(job: Job, topic: string, code: 'CHECKPOINT_CORRUPT' | 'CHECKPOINT_MISMATCH', what: string): Promise<string> {
  const exactlyOnce = job.copyArgs.includes('exactly-once');
  const before = await endOffsets(clusters.destination.bootstrap, topic, PARTITIONS);
  const visibleBefore = await kcatTopic(clusters.destination.bootstrap, topic, PARTITIONS);
  const run = startCopy(job);
  const exit = await run.waitExit(3 * 60_000, `copy with ${what}`);
  expectExit(run, exit, ERROR_CODES[code].exit, `copy with ${what}`);
  assert.match(run.stderr(), new RegExp(`kreroute: ${code}: `), `one clear error line with ${code} for ${what}`);
  const afterEnds = await endOffsets(clusters.destination.bootstrap, topic, PARTITIONS);
  for (const [p, end] of afterEnds.entries()) {
    const grown = end - before[p]!;
    assert.ok(grown === 0n || (exactlyOnce && grown === 1n), `nothing was written to partition ${p} with ${what} (${before[p]} → ${end})`);
  }
  assert.deepEqual(await kcatTopic(clusters.destination.bootstrap, topic, PARTITIONS), visibleBefore, `no record became visible with ${what}`);
  return (
    run
      .stderr()
      .split('\n')
      .find((l) => l.startsWith('kreroute: ')) ?? ''
  );
}

async function finishAndCheck(job: Job, topic: string) {
  const run = startCopy(job);
  expectExit(run, await run.waitExit(5 * 60_000, 'the resumed copy'), 0, 'the resumed copy');
  const report = await verify(clusters, job);
  const oracle = compare(await kcatTopic(clusters.source.bootstrap, topic, PARTITIONS), await kcatTopic(clusters.destination.bootstrap, topic, PARTITIONS));
  return { report, oracle, resumeOutput: run.stderr() };
}

test('at-least-once: a truncated, empty, unreadable, invalid or foreign checkpoint file stops copy with a clear error and nothing written; restored, the copy resumes without loss or duplicates', {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const { job, topic } = await interruptedJob('ckpt-alo', 'at-least-once');
  const file = checkpointPath(job.stateDir);
  const saved = join(job.workDir, 'checkpoint.saved.json');
  await copyFile(file, saved);
  const text = await readFile(saved, 'utf8');
  const errors: string[] = [];

  await writeFile(file, text.slice(0, Math.floor(text.length / 2)));
  errors.push(await refused(job, topic, 'CHECKPOINT_CORRUPT', 'a checkpoint truncated mid-JSON'));
  await truncate(file, 0);
  errors.push(await refused(job, topic, 'CHECKPOINT_CORRUPT', 'an empty checkpoint'));
  await writeFile(file, text.replace(/"next": "\d+"/, '"next": "twelve"'));
  errors.push(await refused(job, topic, 'CHECKPOINT_CORRUPT', 'a checkpoint with an ill-typed field'));
  await rm(file);
  await mkdir(file); // unreadable: a folder where the file should be (root reads any file whatever its mode)
  errors.push(await refused(job, topic, 'CHECKPOINT_CORRUPT', 'an unreadable checkpoint'));
  await rm(file, { recursive: true });
  await writeFile(file, text.replace(/"planHash": "[0-9a-f]+"/, `"planHash": "${'0'.repeat(64)}"`));
  errors.push(await refused(job, topic, 'CHECKPOINT_MISMATCH', "another plan's checkpoint"));

  await copyFile(saved, file);
  const { report, oracle, resumeOutput } = await finishAndCheck(job, topic);
  await reportScenario({
    scenario: 'corrupt checkpoint, at-least-once',
    faults: 'SIGKILL, then the checkpoint file truncated / emptied / ill-typed / a folder / of another plan, then restored',
    messages: PARTITIONS * PER_PARTITION,
    lost: oracle.lost,
    duplicated: oracle.duplicated,
    seconds: elapsed(started),
    notes: `5 × exit ${CHECKPOINT_EXIT}, destination untouched; e.g. "${errors[0]?.slice(0, 110)}"; after restoring: ${/will not be written again/.test(resumeOutput) ? 'reconciled' : 'resumed'}, verify ${report.passed ? 'passed' : 'FAILED'}`,
  });
  assert.equal(report.passed, true, failedPartitions(report));
  assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
});

test('exactly-once: a damaged checkpoint record on the destination stops copy with a clear error and nothing written; restored, the copy resumes without loss or duplicates', {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const { job, topic } = await interruptedJob('ckpt-eos-dest', 'exactly-once');
  const c = cluster(clusters.destination.bootstrap);
  let good: string;
  try {
    const committed = await new DestinationCheckpointStore(c).load(job.plan);
    assert.ok(committed, 'the killed copy committed a checkpoint on the destination');
    good = JSON.stringify(committed);
  } finally {
    await c.close();
  }
  const key = job.plan.hash;
  // A later record under the plan's key that is not a checkpoint (written outside any transaction).
  await produce(clusters.destination.bootstrap, DEFAULT_CHECKPOINT_TOPIC, new Map([[0, [record(key, good.slice(0, Math.floor(good.length / 2)))]]]));
  const error = await refused(job, topic, 'CHECKPOINT_CORRUPT', 'a damaged checkpoint record on the destination');
  await produce(clusters.destination.bootstrap, DEFAULT_CHECKPOINT_TOPIC, new Map([[0, [record(key, good)]]]));
  const { report, oracle } = await finishAndCheck(job, topic);
  await reportScenario({
    scenario: 'corrupt checkpoint on the destination, exactly-once',
    faults: 'SIGKILL, then a torn checkpoint record under the plan key in kreroute-checkpoints, then the last good one written back',
    messages: PARTITIONS * PER_PARTITION,
    lost: oracle.lost,
    duplicated: oracle.duplicated,
    seconds: elapsed(started),
    notes: `exit ${CHECKPOINT_EXIT}, destination untouched ("${error.slice(0, 110)}"); restored: verify ${report.passed ? 'passed' : 'FAILED'}`,
  });
  assert.equal(report.passed, true, failedPartitions(report));
  assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
});

test('exactly-once: a truncated local checkpoint (a mirror of the destination one) does not stop --mode exactly-once; it resumes from the destination without loss or duplicates', {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const { job, topic } = await interruptedJob('ckpt-eos-local', 'exactly-once');
  const file = checkpointPath(job.stateDir);
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.slice(0, Math.floor(text.length / 2)));
  const run = startCopy(job);
  const exit = await run.waitExit(5 * 60_000, 'copy with a truncated local mirror');
  const firstOutcome =
    exit.code === 0
      ? 'resumed (exit 0)'
      : `refused: ${
          run
            .stderr()
            .split('\n')
            .find((l) => l.startsWith('kreroute: ')) ?? `exit ${exit.code}`
        }`;
  let notes = `with the mirror truncated: ${firstOutcome}`;
  if (exit.code !== 0) {
    // Recover the way the error message says, so the oracle still checks the data: remove the mirror.
    await rm(file);
    const again = startCopy(job);
    expectExit(again, await again.waitExit(5 * 60_000, 'copy without the local mirror'), 0, 'copy without the local mirror');
    notes += '; after deleting the mirror: resumed from the destination';
  }
  const report = await verify(clusters, job);
  const oracle = compare(await kcatTopic(clusters.source.bootstrap, topic, PARTITIONS), await kcatTopic(clusters.destination.bootstrap, topic, PARTITIONS));
  await reportScenario({
    scenario: 'corrupt local mirror, exactly-once',
    faults: 'SIGKILL, then the local checkpoint.json truncated mid-JSON',
    messages: PARTITIONS * PER_PARTITION,
    lost: oracle.lost,
    duplicated: oracle.duplicated,
    seconds: elapsed(started),
    notes: `${notes}; verify ${report.passed ? 'passed' : 'FAILED'}`,
  });
  assert.equal(report.passed, true, failedPartitions(report));
  assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
  assert.equal(
    exit.code,
    0,
    `--mode exactly-once resumes from the destination's checkpoint although the local mirror is damaged: ${firstOutcome}\n${tail(run.stderr())}`,
  );
});

test('exactly-once job whose state folder was lost, run again with --mode at-least-once: refused (its checkpoint is on the destination), nothing copied twice', {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const { job, topic } = await interruptedJob('ckpt-lost', 'exactly-once');
  await rm(job.stateDir, { recursive: true });
  const atLeastOnce: Job = { ...job, copyArgs: job.copyArgs.map((a) => (a === 'exactly-once' ? 'at-least-once' : a)) };
  const visibleBefore = await kcatTopic(clusters.destination.bootstrap, topic, PARTITIONS);
  const run = startCopy(atLeastOnce);
  const exit = await run.waitExit(5 * 60_000, 'copy --mode at-least-once without the state folder');
  const outcome =
    exit.code === 0
      ? 'copied (exit 0)'
      : `refused: ${
          run
            .stderr()
            .split('\n')
            .find((l) => l.startsWith('kreroute: ')) ?? `exit ${exit.code}`
        }`;
  const visibleAfter = await kcatTopic(clusters.destination.bootstrap, topic, PARTITIONS);
  let finish = '';
  if (exit.code !== 0) {
    const again = startCopy(job);
    expectExit(again, await again.waitExit(5 * 60_000, 'copy --mode exactly-once'), 0, 'copy --mode exactly-once');
    finish = '; then --mode exactly-once resumed from the destination';
  }
  const oracle = compare(await kcatTopic(clusters.source.bootstrap, topic, PARTITIONS), await kcatTopic(clusters.destination.bootstrap, topic, PARTITIONS));
  await reportScenario({
    scenario: 'lost state folder, exactly-once job resumed as at-least-once',
    faults: 'SIGKILL, then the state folder deleted, then `copy --mode at-least-once`',
    messages: PARTITIONS * PER_PARTITION,
    lost: oracle.lost,
    duplicated: oracle.duplicated,
    seconds: elapsed(started),
    notes: `${outcome}${finish}`,
  });
  assert.equal(oracle.duplicated, 0, `nothing copied twice: ${describeComparison(oracle)}`);
  assert.equal(oracle.lost + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
  assert.equal(exit.code, ERROR_CODES.CHECKPOINT_MISMATCH.exit, `refused with exit ${ERROR_CODES.CHECKPOINT_MISMATCH.exit}: ${outcome}`);
  assert.deepEqual(visibleAfter, visibleBefore, 'the refused run wrote nothing');
});
