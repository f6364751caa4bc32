import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { type FaultClusters, resume, startFaultClusters } from '../support/faults/clusters.ts';
import { kcatValues } from '../support/faults/oracle.ts';
import { runCli, waitFor } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import { elapsed, expectExit, failedPartitions, logStarts, makeJob, startCopy, topicName, verify } from '../support/faults/scenario.ts';

// The destination's retention lowered mid-job (issue 19): records 10 days old are copied into a
// destination topic that keeps them forever, then its retention.ms is lowered to 7 days — during
// the copy, or between verify and purge. The destination's retention check (every 5 s on these
// brokers) then deletes the copies; purge must refuse, and the source keep every record.

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('retention');
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

const PARTITIONS = 4;
const PER_PARTITION = 20_000;
const DAY = 24 * 60 * 60 * 1000;
const SEVEN_DAYS = '604800000';

/** Source records stamped 10 days ago: value "<tag>-p<partition>-<n>" padded to 100 bytes. */
async function loadOld(topic: string, tag: string): Promise<void> {
  await createTopic(clusters.source.bootstrap, topic, PARTITIONS, { 'retention.ms': '-1' });
  const at = Date.now() - 10 * DAY;
  const byPartition = new Map(
    [...Array(PARTITIONS).keys()].map((p) => [
      p,
      Array.from({ length: PER_PARTITION }, (_, i) => record(`k${i % 1000}`, `${tag}-p${p}-${i}`.padEnd(100, '.'), { timestamp: BigInt(at + i) })),
    ]),
  );
  await produce(clusters.source.bootstrap, topic, byPartition);
}

async function setRetention(topic: string, retentionMs: string): Promise<void> {
  const admin = new Admin({ clientId: 'kreroute-fault-suite', bootstrapBrokers: [clusters.destination.bootstrap] });
  try {
    await admin.incrementalAlterConfigs({
      resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.ms', configOperation: 0, value: retentionMs }] }],
    });
  } finally {
    await admin.close();
  }
}

/** The oracle: kcat reads every record of every source partition, in order. */
async function assertSourceIntact(topic: string, tag: string): Promise<void> {
  assert.deepEqual(
    await logStarts(clusters.source.bootstrap, topic, [...Array(PARTITIONS).keys()]),
    Array(PARTITIONS).fill(0n),
    `${topic}: no source log start moved`,
  );
  for (let p = 0; p < PARTITIONS; p++) {
    const values = await kcatValues(clusters.source.bootstrap, topic, p);
    assert.equal(values.length, PER_PARTITION, `${topic}[${p}]: kcat reads every record`);
    assert.equal(values[0], `${tag}-p${p}-0`.padEnd(100, '.'));
    assert.equal(values.at(-1), `${tag}-p${p}-${PER_PARTITION - 1}`.padEnd(100, '.'));
  }
}

/** Waits (bounded) until the destination's retention has deleted every copy: kcat reads none of them there. */
async function waitDestinationEmptied(topic: string): Promise<string> {
  return waitFor(
    `the destination's retention to delete ${topic}`,
    90_000,
    async () => {
      const starts = await logStarts(clusters.destination.bootstrap, topic, [...Array(PARTITIONS).keys()]);
      if (starts.some((s) => s === 0n)) return undefined;
      for (let p = 0; p < PARTITIONS; p++) if ((await kcatValues(clusters.destination.bootstrap, topic, p)).length > 0) return undefined;
      return `the destination deleted every copy (log starts ${starts.join(', ')}; kcat reads none)`;
    },
    1000,
  );
}

/** Old records copied exactly-once into a destination topic that keeps them forever, and verified. */
async function copiedAndVerified(name: string, tag: string) {
  const topic = topicName(name);
  await loadOld(topic, tag);
  await createTopic(clusters.destination.bootstrap, topic, PARTITIONS, { 'retention.ms': '-1' });
  const job = await makeJob(clusters, name, 'exactly-once', { topics: [topic] });
  const copy = startCopy(job);
  expectExit(copy, await copy.waitExit(3 * 60_000, 'the copy'), 0, 'the copy');
  const report = await verify(clusters, job);
  assert.equal(report.passed, true, failedPartitions(report));
  return { topic, job };
}

function purge(job: { planFile: string; stateDir: string }, env?: NodeJS.ProcessEnv) {
  return runCli(
    ['purge', job.planFile, '--execute', '--source', clusters.source.bootstrap, '--destination', clusters.destination.bootstrap, '--state-dir', job.stateDir],
    env ? { env } : {},
  );
}

test('retention.ms lowered to 7 days during the copy of 10-day-old records: the copies go, verify and purge refuse, the source keeps every record', {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const topic = topicName('retention-copy');
  await loadOld(topic, 'rc');
  await createTopic(clusters.destination.bootstrap, topic, PARTITIONS, { 'retention.ms': '-1', 'segment.bytes': String(1024 * 1024) });
  // at-least-once: no commit markers, so the destination's retention deletes the copies within seconds.
  const job = await makeJob(clusters, 'retention-copy', 'at-least-once', { topics: [topic] });
  // About 8 s of copying: the retention is lowered once the copy has begun writing.
  const copy = startCopy(job, ['--max-rate', '10000']);
  await waitFor('the copy to start writing', 60_000, () => (copy.stderr().includes('starting the copy') ? true : undefined));
  await setRetention(topic, SEVEN_DAYS);
  const copyExit = await copy.waitExit(3 * 60_000, 'the copy');
  // Its check passed before the change: the copy finishes.
  expectExit(copy, copyExit, 0, 'the copy');
  // Verify at once, as reroute would, before the destination's retention check has deleted anything.
  const verifyRun = runCli([
    'verify',
    job.planFile,
    '--source',
    clusters.source.bootstrap,
    '--destination',
    clusters.destination.bootstrap,
    '--state-dir',
    job.stateDir,
  ]);
  const verifyExit = await verifyRun.waitExit(2 * 60_000, 'verify');
  expectExit(verifyRun, verifyExit, 4, 'verify');
  assert.match(errorLine(verifyRun.stderr()), /DESTINATION_LOSS: verify refused: destination .*retention\.ms=604800000/);
  const deleted = await waitDestinationEmptied(topic);
  const purgeRun = purge(job);
  const purgeExit = await purgeRun.waitExit(2 * 60_000, 'purge');
  expectExit(purgeRun, purgeExit, 9, 'purge');
  await assertSourceIntact(topic, 'rc');
  await reportScenario({
    scenario: 'destination retention lowered during the copy',
    faults: `retention.ms -1 → ${SEVEN_DAYS} on the destination topic while copying records 10 days old`,
    messages: PARTITIONS * PER_PARTITION,
    lost: 0,
    duplicated: 0,
    seconds: elapsed(started),
    notes: `at-least-once copy exit ${copyExit.code}; ${deleted}; verify exit ${verifyExit.code} (${errorLine(verifyRun.stderr())}); purge exit 9 (${errorLine(purgeRun.stderr())}); source intact (kcat)`,
  });
});

test('retention.ms lowered to 7 days between verify and purge: purge refuses at once and after the destination deleted the copies; the source keeps every record', {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const { topic, job } = await copiedAndVerified('retention-purge', 'rp');

  await setRetention(topic, SEVEN_DAYS);
  const first = purge(job);
  expectExit(first, await first.waitExit(2 * 60_000, 'the first purge'), 9, 'purge right after the change');
  assert.match(errorLine(first.stderr()), /PURGE_UNSAFE: purge refused, nothing deleted: destination .*retention\.ms=604800000|NOT_VERIFIED/);
  const deleted = await waitDestinationEmptied(topic);
  const second = purge(job);
  expectExit(second, await second.waitExit(2 * 60_000, 'the second purge'), 9, 'purge after the destination deleted the copies');
  await assertSourceIntact(topic, 'rp');
  await reportScenario({
    scenario: 'destination retention lowered between verify and purge',
    faults: `retention.ms -1 → ${SEVEN_DAYS} on the destination topic after verify passed`,
    messages: PARTITIONS * PER_PARTITION,
    lost: 0,
    duplicated: 0,
    seconds: elapsed(started),
    notes: `exactly-once copy; purge exit 9 at once (${errorLine(first.stderr())}); ${deleted}; purge exit 9 again (${errorLine(second.stderr())}); source intact (kcat)`,
  });
});

test('retention deletes the copies while purge reads them again: purge refuses (exit 9, not verified); the source keeps every record', {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const { topic, job } = await copiedAndVerified('retention-recheck', 'rr');

  // Purge stops itself after it read a destination partition's log start, before it reads the copies there again.
  const run = purge(job, { KREROUTE_FAULT_POINT: 'purge-destination-read@1:stop' });
  await waitFor('purge to stop before it reads the copies again', 60_000, () =>
    run.stderr().includes('fault point purge-destination-read reached') ? true : run.exit() !== null ? assert.fail(`purge ended: ${run.stderr()}`) : undefined,
  );
  await setRetention(topic, SEVEN_DAYS);
  const deleted = await waitDestinationEmptied(topic);
  resume(run.pid);
  expectExit(run, await run.waitExit(2 * 60_000, 'the resumed purge'), 9, 'purge resumed after the destination deleted the copies');
  assert.match(errorLine(run.stderr()), /NOT_VERIFIED: purge refused: the copied record at .* is no longer on the destination as verify saw it/);
  await assertSourceIntact(topic, 'rr');
  await reportScenario({
    scenario: 'destination retention deletes the copies during purge',
    faults: `purge stopped (purge-destination-read@1:stop) after reading a destination log start; retention.ms -1 → ${SEVEN_DAYS} there; SIGCONT once every copy was deleted`,
    messages: PARTITIONS * PER_PARTITION,
    lost: 0,
    duplicated: 0,
    seconds: elapsed(started),
    notes: `exactly-once copy; ${deleted}; the resumed purge exit 9 (${errorLine(run.stderr())}); source intact (kcat)`,
  });
});

/** The CLI's one error line (the fault suite runs it with KREROUTE_DEBUG=1, so a stack follows). */
function errorLine(text: string): string {
  return (text.split('\n').find((l) => l.startsWith('kreroute: ')) ?? '').slice(0, 400);
}
