import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer } from '@platformatic/kafka';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import {
  type PartitionValues,
  compare,
  describeComparison,
  kcatOffsets,
  kcatTopic,
  kcatValues,
  transactionalCopier,
  verifiableProduce,
} from '../support/faults/oracle.ts';
import { tail, waitFor } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import {
  type Mode,
  copiedSoFar,
  setCleanupPolicy,
  elapsed,
  expectExit,
  failedPartitions,
  loadSequenced,
  makeJob,
  startCopy,
  topicName,
  verify,
} from '../support/faults/scenario.ts';

// Sources that are not a plain run of records: aborted transactions with their control records
// (and a transaction still open at plan time), and a compacted log full of offset gaps.

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('shapes');
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

const MODES = ['exactly-once', 'at-least-once'] as const satisfies Mode[];

test("aborted transactions and control records (Kafka's TransactionalMessageCopier with random aborts) and a transaction open at plan time: only committed records in the range are copied, once each; counts hold", {
  timeout: 12 * 60_000,
}, async () => {
  const started = Date.now();
  const partitions = 4;
  const messages = 40_000;
  const input = topicName('txn-input');
  const topic = topicName('txn-source');
  await createTopic(clusters.source.bootstrap, input, partitions);
  await createTopic(clusters.source.bootstrap, topic, partitions);
  // Kafka's tools write the source: VerifiableProducer the input, then one TransactionalMessageCopier
  // per partition copies it into `topic` in transactions of 500, aborting about a third of them.
  const truth = await verifiableProduce({
    libsDir: clusters.libsDir,
    bootstrap: clusters.source.bootstrap,
    topic: input,
    messages,
    valuePrefix: 11,
    workDir: clusters.source.logDir,
    timeoutMs: 3 * 60_000,
  });
  for (let p = 0; p < partitions; p += 2) {
    await Promise.all(
      [p, p + 1].map((partition) =>
        transactionalCopier({
          libsDir: clusters.libsDir,
          bootstrap: clusters.source.bootstrap,
          inputTopic: input,
          partition,
          outputTopic: topic,
          transactionSize: 500,
          timeoutMs: 5 * 60_000,
        }),
      ),
    );
  }
  let uncommitted = 0;
  for (let p = 0; p < partitions; p++) uncommitted += (await kcatValues(clusters.source.bootstrap, topic, p, { readUncommitted: true })).length;
  const aborted = uncommitted - messages;
  assert.ok(aborted > 0, `the source holds aborted records (${uncommitted} records read uncommitted, ${messages} committed)`);

  // A transaction left open while planning: the plan ends before it (the last stable offset).
  const open = new Producer({
    clientId: 'kreroute-fault-open-txn',
    bootstrapBrokers: [clusters.source.bootstrap],
    transactionalId: topicName('open-txn'),
    idempotent: true,
  });
  let copiedCount: number;
  let job: Awaited<ReturnType<typeof makeJob>>;
  try {
    const transaction = await open.beginTransaction();
    await transaction.send({
      messages: Array.from({ length: 50 }, (_, i) => ({ topic, partition: 0, key: Buffer.from(`open-${i}`), value: Buffer.from(`open-txn-${i}`) })),
    });
    job = await makeJob(clusters, 'txn', 'exactly-once', { topics: [topic], exact: true });
    await transaction.commit();
  } finally {
    await open.close();
  }
  // After planning, more committed records: they are past the range too.
  await produce(clusters.source.bootstrap, topic, new Map([[1, [record('late', 'late-1')]]]));
  assert.equal(job.plan.estimate.records, messages, 'plan --exact counts the committed records only');

  const run = startCopy(job, ['--json']);
  expectExit(run, await run.waitExit(5 * 60_000, 'the copy'), 0, 'the copy');
  copiedCount = await copiedSoFar(job);
  const report = await verify(clusters, job);
  const oracle = compare(truth.values, await kcatTopic(clusters.destination.bootstrap, topic, partitions));
  await reportScenario({
    scenario: 'aborted transactions + control records + an open transaction',
    faults: `${aborted} aborted records (TransactionalMessageCopier --enable-random-aborts), 50 records of a transaction open at plan time`,
    messages,
    lost: oracle.lost,
    duplicated: oracle.duplicated,
    seconds: elapsed(started),
    notes: `plan counted ${job.plan.estimate.records}, copy ${copiedCount}; aborted or post-plan records copied: ${oracle.foreign}; verify ${report.passed ? 'passed' : 'FAILED'}`,
  });
  assert.equal(copiedCount, messages, 'copy counts the committed records only');
  assert.equal(report.passed, true, failedPartitions(report));
  assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
});

/** True when some committed offsets of the partition are missing between its first and last. */
function hasGaps(offsets: bigint[]): boolean {
  return offsets.some((o, i) => i > 0 && o !== offsets[i - 1]! + 1n);
}

test('a compacted source with offset gaps in every partition, copy killed once and resumed: copy and verify are right, in both modes', {
  timeout: 15 * 60_000,
}, async () => {
  const started = Date.now();
  const partitions = 4;
  const topic = topicName('compacted');
  await createTopic(clusters.source.bootstrap, topic, partitions, {
    'cleanup.policy': 'compact',
    'segment.ms': '100',
    'min.cleanable.dirty.ratio': '0.01',
    'min.compaction.lag.ms': '0',
    'max.compaction.lag.ms': '1000',
  });
  // 8 rounds of 2500 records per partition, every other one under a key that each round writes
  // again (500 such keys), the others under keys of their own: the cleaner leaves holes everywhere.
  for (let round = 0; round < 8; round++) {
    const key = (i: number) => (i % 2 === 0 ? `shared-${(i / 2) % 500}` : `r${round}-${i}`);
    const byPartition = new Map(
      [...Array(partitions).keys()].map((p) => [p, Array.from({ length: 2500 }, (_, i) => record(key(i), `c-p${p}-r${round}-${i}`.padEnd(100, '.')))]),
    );
    await produce(clusters.source.bootstrap, topic, byPartition, 500);
    await sleep(150);
  }
  // The cleaner removes overwritten records from rolled segments; a new write rolls the segment.
  let rolls = 0;
  await waitFor(
    'the cleaner to leave offset gaps in every partition',
    120_000,
    async () => {
      await produce(
        clusters.source.bootstrap,
        topic,
        new Map([...Array(partitions).keys()].map((p) => [p, [record(`roll-${rolls}`, `c-p${p}-roll-${rolls}`)]])),
      );
      rolls++;
      const offsets = await Promise.all([...Array(partitions).keys()].map((p) => kcatOffsets(clusters.source.bootstrap, topic, p)));
      if (rolls % 10 === 0)
        process.stderr.write(`[compacted] after ${rolls} rolls: ${offsets.map((o) => `${o.length} records up to ${o.at(-1)}`).join(', ')}\n`);
      return offsets.every(hasGaps) ? true : undefined;
    },
    1000,
  );
  // Then stop the cleaner (retention is off on these brokers, so "delete" deletes nothing): the
  // source holds still while it is planned, copied and verified.
  await setCleanupPolicy(clusters.source.bootstrap, topic, 'delete');
  const expected: PartitionValues = await kcatTopic(clusters.source.bootstrap, topic, partitions);
  const live = [...expected.values()].reduce((n, v) => n + v.length, 0);
  const written = partitions * (8 * 2500 + rolls);

  const notes: string[] = [];
  let lost = 0;
  let duplicated = 0;
  for (const mode of MODES) {
    // A plain destination topic: a compacted one would compact the copies too.
    const destination = `${topic}-${mode}`;
    await createTopic(clusters.destination.bootstrap, destination, partitions);
    const job = await makeJob(clusters, `compacted-${mode}`, mode, { topics: [topic], destinationTopic: destination, exact: true });
    assert.equal(job.plan.estimate.records, live, 'plan --exact counts the records the cleaner left');
    const run = startCopy(job, ['--max-rate', '3000']);
    await waitFor('the copy to make progress', 90_000, async () => ((await copiedSoFar(job)) > 0 || run.exit() !== null ? true : undefined));
    await sleep(1_000);
    assert.equal(run.exit(), null, `the copy is still running when killed:\n${tail(run.stderr())}`);
    run.kill('SIGKILL');
    await run.waitExit(30_000, 'the killed copy');
    const atKill = await copiedSoFar(job);
    const resumed = startCopy(job);
    expectExit(resumed, await resumed.waitExit(5 * 60_000, 'the resumed copy'), 0, 'the resumed copy');
    const report = await verify(clusters, job);
    const actual = await kcatTopic(clusters.destination.bootstrap, destination, partitions);
    const oracle = compare(expected, actual);
    const contiguous = await Promise.all(
      [...Array(partitions).keys()].map(async (p) => !hasGaps(await kcatOffsets(clusters.destination.bootstrap, destination, p))),
    );
    lost += oracle.lost;
    duplicated += oracle.duplicated;
    notes.push(`${mode}: killed at ${atKill}, copied ${await copiedSoFar(job)}, verify ${report.passed ? 'passed' : 'FAILED'}`);
    assert.equal(report.passed, true, `${mode}: ${failedPartitions(report)}`);
    assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, `${mode}: ${describeComparison(oracle)}`);
    assert.equal(await copiedSoFar(job), live, `${mode}: copy counts the records the cleaner left`);
    if (mode === 'at-least-once') assert.ok(contiguous.every(Boolean), 'the destination numbers the copies without gaps');
  }
  await reportScenario({
    scenario: 'compacted source with offset gaps',
    faults: `compaction left ${live} of ${written} records (gaps in all ${partitions} partitions); 1 SIGKILL per mode`,
    messages: live,
    lost,
    duplicated,
    seconds: elapsed(started),
    notes: notes.join('; '),
  });
});

test('record batches larger than a fetch takes per partition, and fetch responses too small for every partition: no partition is skipped', {
  timeout: 8 * 60_000,
}, async () => {
  const started = Date.now();
  const partitions = 4;
  const perPartition = 2_000;
  const topic = topicName('big-batches');
  await createTopic(clusters.source.bootstrap, topic, partitions);
  // 1 KB values in batches of 200: 200 KB batches, above the 64 KiB per partition of a throttled fetch;
  // 2 MB per partition, above what a fetch response holds with --memory-budget 4m (1 MiB).
  await loadSequenced(clusters.source.bootstrap, topic, partitions, perPartition, { valueBytes: 1000, batch: 200, tag: 'big' });
  const expected = await kcatTopic(clusters.source.bootstrap, topic, partitions);
  const cases = [
    { name: 'throttled', mode: 'at-least-once' as Mode, extra: ['--max-rate', '200000'] },
    { name: 'small responses', mode: 'exactly-once' as Mode, extra: ['--memory-budget', '4m'] },
  ];
  const notes: string[] = [];
  let lost = 0;
  let duplicated = 0;
  const failures: string[] = [];
  for (const c of cases) {
    const destination = `${topic}-${c.name.replace(/ /g, '-')}`;
    const job = await makeJob(clusters, `big-${c.name.replace(/ /g, '-')}`, c.mode, { topics: [topic], destinationTopic: destination, exact: false });
    const run = startCopy(job, c.extra);
    expectExit(run, await run.waitExit(5 * 60_000, `the ${c.name} copy`), 0, `the ${c.name} copy`);
    const copied = await copiedSoFar(job);
    const report = await verify(clusters, job);
    const oracle = compare(expected, await kcatTopic(clusters.destination.bootstrap, destination, partitions));
    lost += oracle.lost;
    duplicated += oracle.duplicated;
    notes.push(`${c.name} (${c.extra.join(' ')}, ${c.mode}): copy claims ${copied}, verify ${report.passed ? 'passed' : 'FAILED'}`);
    if (!report.passed || oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder > 0 || copied !== partitions * perPartition) {
      failures.push(`${c.name}: copy claims ${copied} of ${partitions * perPartition}; ${describeComparison(oracle)}\n${failedPartitions(report)}`);
    }
  }
  await reportScenario({
    scenario: 'large batches, small fetches',
    faults: '200 KB batches (> 64 KiB per partition of a throttled fetch); 2 MB per partition (> a 1 MiB fetch response)',
    messages: partitions * perPartition,
    lost,
    duplicated,
    seconds: elapsed(started),
    notes: notes.join('; '),
  });
  assert.deepEqual(failures, [], failures.join('\n'));
});
