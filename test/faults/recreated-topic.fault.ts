import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, resume, startFaultClusters } from '../support/faults/clusters.ts';
import { kcatValues } from '../support/faults/oracle.ts';
import { type Proc, runCli, tail, waitFor } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import {
  type Job,
  elapsed,
  expectExit,
  failedPartitions,
  loadSequenced,
  logStarts,
  makeJob,
  startCopy,
  topicName,
  verify,
} from '../support/faults/scenario.ts';
import { recreateTopic } from '../support/recreate-topic.ts';

// Issue 19: a topic name is not an identity. A source topic deleted and recreated under the same
// name after verify must lose nothing to a purge of the old plan, whenever it happens.

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('recreated');
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

const PARTITIONS = 4;
const PLANNED = 2_000;
const NEW = 3_000;
const ALL = [...Array(PARTITIONS).keys()];

/** Two topics of PLANNED records per partition, copied (exactly-once, CLI) and verified. */
async function copiedAndVerified(name: string): Promise<{ job: Job; kept: string; recreated: string }> {
  const topics = [topicName(`${name}-t0`), topicName(`${name}-t1`)];
  for (const t of topics) {
    await createTopic(clusters.source.bootstrap, t, PARTITIONS);
    await loadSequenced(clusters.source.bootstrap, t, PARTITIONS, PLANNED, { tag: 'old' });
  }
  const job = await makeJob(clusters, name, 'exactly-once', { topics, exact: false });
  const copy = startCopy(job);
  expectExit(copy, await copy.waitExit(3 * 60_000, 'the copy'), 0, 'the copy');
  const report = await verify(clusters, job);
  assert.equal(report.passed, true, failedPartitions(report));
  return { job, kept: job.plan.topics[0]!.source, recreated: job.plan.topics[1]!.source };
}

/** The source topic deleted and created again with NEW records per partition, values "new-p<p>-<n>". */
async function recreateWithNewRecords(topic: string): Promise<void> {
  await recreateTopic(clusters.source.bootstrap, topic, PARTITIONS);
  await loadSequenced(clusters.source.bootstrap, topic, PARTITIONS, NEW, { tag: 'new' });
}

/** kcat's view of the recreated topic: every new record, in order, nothing else. */
async function assertAllNewRecords(topic: string): Promise<void> {
  for (const p of ALL) {
    const values = (await kcatValues(clusters.source.bootstrap, topic, p)).map((v) => v.replace(/\.+$/, ''));
    assert.deepEqual(
      values,
      Array.from({ length: NEW }, (_, i) => `new-p${p}-${i}`),
      `${topic}[${p}] keeps every record of the new topic`,
    );
  }
}

function purge(job: Job, extra: string[] = [], env?: NodeJS.ProcessEnv): Proc {
  return runCli(
    [
      'purge',
      job.planFile,
      ...(extra.includes('--dry-run') ? [] : ['--execute']),
      '--source',
      clusters.source.bootstrap,
      '--destination',
      clusters.destination.bootstrap,
      '--state-dir',
      job.stateDir,
      ...extra,
    ],
    { ...(env ? { env: { ...process.env, ...env } } : {}) },
  );
}

function assertRefusedAsRecreated(proc: Proc, topic: string): void {
  const lines = proc
    .stderr()
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('kreroute: '));
  assert.equal(lines.length, 1, proc.stderr());
  assert.match(lines[0]!, new RegExp(`^kreroute: TOPIC_RECREATED: source topic ${topic} is not the topic the plan was made for .* — nothing was deleted`));
}

test(`source topic recreated between verify and purge (${PARTITIONS} × ${NEW} new records): purge and its dry run refuse with exit 5; nothing of either topic is deleted`, {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const { job, kept, recreated } = await copiedAndVerified('recreate-before');
  await recreateWithNewRecords(recreated);

  const dry = purge(job, ['--dry-run']);
  expectExit(dry, await dry.waitExit(2 * 60_000, 'the dry run'), 5, 'purge --dry-run');
  assertRefusedAsRecreated(dry, recreated);
  const run = purge(job);
  expectExit(run, await run.waitExit(2 * 60_000, 'purge'), 5, 'purge');
  assertRefusedAsRecreated(run, recreated);

  assert.deepEqual(
    await logStarts(clusters.source.bootstrap, kept, ALL),
    ALL.map(() => 0n),
    'the topic that was not recreated is not purged either: every topic is checked before any is deleted',
  );
  assert.deepEqual(
    await logStarts(clusters.source.bootstrap, recreated, ALL),
    ALL.map(() => 0n),
  );
  await assertAllNewRecords(recreated);
  await reportScenario({
    scenario: 'source topic recreated between verify and purge',
    faults: `delete + create of 1 of 2 source topics after verify, ${PARTITIONS} × ${NEW} new records`,
    messages: 2 * PARTITIONS * PLANNED + PARTITIONS * NEW,
    lost: 0,
    duplicated: 0,
    seconds: elapsed(started),
    notes: 'purge and --dry-run exit 5 TOPIC_RECREATED; log starts all 0; kcat reads every new record',
  });
});

test('source topic recreated while purge runs, after it purged the first topic and before the second: purge refuses at the second; the first stays purged, the recreated topic keeps every new record', {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const { job, kept, recreated } = await copiedAndVerified('recreate-during');
  const ends = job.plan.topics[0]!.partitions.map((p) => BigInt(p.end));

  // Purge stops itself (SIGSTOP) right before it checks the second topic again and deletes from it.
  const run = purge(job, [], { KREROUTE_FAULT_POINT: 'before-purge-topic@2:stop' });
  await waitFor('purge to stop before its second topic', 60_000, async () =>
    (await processState(run.pid)) === 'T' ? true : run.exit() !== null ? assert.fail(`purge ended: ${tail(run.stderr())}`) : undefined,
  );
  assert.deepEqual(await logStarts(clusters.source.bootstrap, kept, ALL), ends, 'the first topic was purged before the stop');
  await recreateWithNewRecords(recreated);
  resume(run.pid);

  expectExit(run, await run.waitExit(2 * 60_000, 'the resumed purge'), 5, 'purge resumed after the topic was recreated');
  assertRefusedAsRecreated(run, recreated);
  assert.deepEqual(await logStarts(clusters.source.bootstrap, kept, ALL), ends);
  assert.deepEqual(
    await logStarts(clusters.source.bootstrap, recreated, ALL),
    ALL.map(() => 0n),
  );
  await assertAllNewRecords(recreated);
  await reportScenario({
    scenario: 'source topic recreated during purge',
    faults: `purge stopped (before-purge-topic@2:stop) between its two topics; the second deleted + created with ${PARTITIONS} × ${NEW} new records; SIGCONT`,
    messages: 2 * PARTITIONS * PLANNED + PARTITIONS * NEW,
    lost: 0,
    duplicated: 0,
    seconds: elapsed(started),
    notes: 'resumed purge exits 5 TOPIC_RECREATED; first topic log starts = plan ends; recreated topic untouched (kcat reads every new record)',
  });
});

async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
