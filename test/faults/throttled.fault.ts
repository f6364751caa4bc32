import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startLocalCluster } from '../../src/local/local-cluster.ts';
import { setProduceQuota } from '../support/client-quota.ts';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { compare, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { tail } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import { type Mode, elapsed, expectExit, failedPartitions, loadSequenced, makeJob, startCopy, topicName, verify } from '../support/faults/scenario.ts';

// Issue 19: a destination client quota of 256 KB/s (`kafka-configs --entity-type clients
// --entity-default --add-config producer_byte_rate=262144`, as managed clusters apply) and 30 MB
// to copy. Exactly-once failed after ~50-60 s (its one transaction outlived the 60 s timeout),
// and again on every rerun. Both modes must finish in one run, nothing lost or duplicated, and
// say that the destination throttled them. The quota is on the default entity: these clusters
// are this file's own.

const QUOTA = 262_144;
const PARTITIONS = 4;
const PER_PARTITION = 7_500;
const VALUE_BYTES = 1_000;

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('throttled');
    await setProduceQuota(clusters.destination.bootstrap, null, QUOTA);
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

const MODES = ['exactly-once', 'at-least-once'] as const satisfies Mode[];

for (const mode of MODES) {
  test(`${mode}: 30 MB through a 256 KB/s destination produce quota (default entity) finish in one run, 0 lost, 0 duplicated, throttling shown`, {
    timeout: 10 * 60_000,
  }, async () => {
    const started = Date.now();
    const topic = topicName(`quota-${mode}`);
    await createTopic(clusters.source.bootstrap, topic, PARTITIONS);
    await loadSequenced(clusters.source.bootstrap, topic, PARTITIONS, PER_PARTITION, { valueBytes: VALUE_BYTES, tag: 'quota' });
    const job = await makeJob(clusters, `quota-${mode}`, mode, { topics: [topic] });
    const total = PARTITIONS * PER_PARTITION;
    assert.equal(job.plan.estimate.records, total);

    const copyStarted = Date.now();
    const run = startCopy(job);
    const exit = await run.waitExit(6 * 60_000, 'the copy');
    const copySeconds = elapsed(copyStarted);
    expectExit(run, exit, 0, 'the copy through a 256 KB/s quota');
    // 30 MB cannot pass 256 KB/s in less than ~100 s (the quota window lets ~2.8 MB through first).
    assert.ok(copySeconds > 90, `the copy took ${copySeconds} s: was the quota in force?`);
    const throttleLines = run
      .stderr()
      .split('\n')
      .filter((l) => l.includes('throttled by the destination'));
    assert.ok(throttleLines.length > 0, `the progress says the destination throttled the copy:\n${tail(run.stderr())}`);

    const report = await verify(clusters, job);
    const oracle = compare(await kcatTopic(clusters.source.bootstrap, topic, PARTITIONS), await kcatTopic(clusters.destination.bootstrap, topic, PARTITIONS));
    await reportScenario({
      scenario: `256 KB/s destination produce quota, ${mode}`,
      faults: 'producer_byte_rate=262144 for the default client entity on the destination',
      messages: total,
      lost: oracle.lost,
      duplicated: oracle.duplicated,
      seconds: elapsed(started),
      notes: `one copy run, exit 0 in ${copySeconds.toFixed(0)} s; verify ${report.passed ? 'passed' : 'FAILED'}; last progress: ${throttleLines[throttleLines.length - 1] ?? 'none'}`,
    });
    assert.equal(report.passed, true, failedPartitions(report));
    assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
  });
}

test('exactly-once into a destination whose transaction.max.timeout.ms is 20 s, through the same quota: the timeout asked is 20 s, transactions commit within it', {
  timeout: 8 * 60_000,
}, async () => {
  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'kreroute-faults-short-txn-'));
  const destination = await startLocalCluster({
    name: 'faults-short-txn-destination',
    libsDir: clusters.libsDir,
    dataDir,
    startTimeoutMs: 120_000,
    brokerConfig: { 'transaction.max.timeout.ms': '20000' },
  });
  try {
    await setProduceQuota(destination.bootstrap, null, QUOTA);
    const topic = topicName('short-txn');
    const perPartition = 2_500;
    await createTopic(clusters.source.bootstrap, topic, PARTITIONS);
    await loadSequenced(clusters.source.bootstrap, topic, PARTITIONS, perPartition, { valueBytes: VALUE_BYTES, tag: 'short' });
    const target = { ...clusters, destination, destinationSettings: { bootstrap: destination.brokers } };
    const job = await makeJob(target, 'short-txn', 'exactly-once', { topics: [topic] });
    const run = startCopy(job);
    const exit = await run.waitExit(5 * 60_000, 'the copy');
    expectExit(run, exit, 0, 'the exactly-once copy into a destination allowing 20 s transactions');
    assert.match(run.stderr(), /allows transactions of at most 20000 ms/);
    const report = await verify(target, job);
    const oracle = compare(await kcatTopic(clusters.source.bootstrap, topic, PARTITIONS), await kcatTopic(destination.bootstrap, topic, PARTITIONS));
    await reportScenario({
      scenario: 'transaction.max.timeout.ms=20000 on the destination, 256 KB/s quota, exactly-once',
      faults: 'a coordinator refusing transaction timeouts over 20 s; producer_byte_rate=262144 (default entity)',
      messages: PARTITIONS * perPartition,
      lost: oracle.lost,
      duplicated: oracle.duplicated,
      seconds: elapsed(started),
      notes: `exit 0; verify ${report.passed ? 'passed' : 'FAILED'}`,
    });
    assert.equal(report.passed, true, failedPartitions(report));
    assert.equal(oracle.lost + oracle.duplicated + oracle.foreign + oracle.outOfOrder, 0, describeComparison(oracle));
  } finally {
    await destination.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
});
