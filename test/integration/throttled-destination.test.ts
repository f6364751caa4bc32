// A destination produce quota of 256 KB/s (issue 19): the broker answers with throttle_time_ms
// and mutes the connection meanwhile. Both modes must finish with nothing lost or duplicated,
// and show the throttling. The quota is set for a client.id of the test's own, never the default
// entity: the test clusters are shared by tests running at the same time.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { copyPlan, verifyPlan, type EngineEvent } from '../../src/index.ts';
import { JobMetrics } from '../../src/cli/metrics/job-metrics.ts';
import { uniqueName } from '../support/clusters.ts';
import { setProduceQuota } from '../support/client-quota.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatRead } from '../support/kcat-count.ts';

const QUOTA_BYTES_PER_SEC = 256 * 1024;
const PARTITIONS = 4;
const PER_PARTITION = 1800;
/**
 * ~1 KiB records: ~7.2 MB in all. The broker measures the rate over its quota window (11 s), so
 * the first ~2.5 MB pass at once and the rest is throttled: ~20 s per mode.
 */
const VALUE_BYTES = 1000;

for (const mode of ['exactly-once', 'at-least-once'] as const) {
  test(`a copy through a 256 KB/s destination produce quota finishes ${mode}: 0 lost, 0 duplicated, throttling shown`, async (t) => {
    const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
    const topic = uniqueName(`throttled-${mode}`);
    const clientId = uniqueName('kreroute-throttled');
    await createTopic(sourceBootstrap, topic, PARTITIONS);
    const rows = (p: number) =>
      Array.from({ length: PER_PARTITION }, (_, i) => record(`k${i}`, `p${p}-${i}-`.padEnd(VALUE_BYTES, String.fromCharCode(97 + (i % 26)))));
    await produce(sourceBootstrap, topic, new Map([...Array(PARTITIONS).keys()].map((p) => [p, rows(p)])), 100);
    const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true, exact: true });
    await setProduceQuota(destinationBootstrap, clientId, QUOTA_BYTES_PER_SEC);
    const dir = await stateDir('throttled');
    t.after(async () => {
      await setProduceQuota(destinationBootstrap, clientId, null);
      await rm(dir, { recursive: true, force: true });
    });

    const events: EngineEvent[] = [];
    const job = new JobMetrics();
    // Exactly-once with a 20 s transaction timeout: a copy of ~20 s or more (longer on a loaded
    // machine) must commit on time, whatever its transactions hold. Not tighter: one throttled
    // answer can hold the connection for most of the 11 s quota window, and with 10 s a
    // transaction outlived its timeout once on a loaded machine (the whole suite). The pace rule
    // itself is unit-tested (transaction-pace.test.ts); the 30 MB case is in test/faults.
    const transactionTimeoutMs = 20_000;
    const summary = await copyPlan(p, {
      source,
      destination: { ...destination, clientId },
      stateDir: dir,
      mode,
      transactionTimeoutMs,
      metrics: job.sink,
      onEvent: (event) => events.push(event),
    });
    assert.equal(summary.mode, mode);
    assert.equal(summary.records, PARTITIONS * PER_PARTITION);

    // The throttling is shown: in progress events and as a metric.
    const throttled = events.flatMap((e) => (e.type === 'progress' && e.stage === 'copy' ? [e.destinationThrottledMs ?? 0] : []));
    assert.ok(
      throttled.some((ms) => ms > 0),
      `a progress event tells of the destination's throttling: ${throttled.join(' ')}`,
    );
    // Writes held back by the throttle time are not reported as unanswered: the broker answered.
    const unanswered = events.flatMap((e) => (e.type === 'retry' && /no answer/.test(e.message) ? [e.message] : []));
    assert.deepEqual(unanswered, [], 'no write is said to have had no answer');
    const page = (await job.page()).body;
    const seconds = Number(/^kreroute_throttle_seconds_total\{cluster="destination"\} (\S+)$/m.exec(page)?.[1] ?? 0);
    assert.ok(seconds > 0, `kreroute_throttle_seconds_total{cluster="destination"} = ${seconds}`);
    assert.ok(Math.abs(seconds * 1000 - Math.max(...throttled)) < 1000, `the metric (${seconds} s) and the progress (${Math.max(...throttled)} ms) agree`);
    if (mode === 'exactly-once') {
      const commits = Number(/^kreroute_transaction_commits_total (\S+)$/m.exec(page)?.[1] ?? 0);
      assert.ok(commits >= Math.ceil(throttled.length / (transactionTimeoutMs / 1000)), `${commits} commits in a copy of ~${throttled.length} s`);
    }

    const report = await verifyPlan(p, { source, destination, stateDir: dir });
    assert.equal(report.passed, true, JSON.stringify(report).slice(0, 2000));
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const lines = await kcatRead(destinationBootstrap, topic, partition, ['-o', 'beginning']);
      assert.equal(lines.length, PER_PARTITION, `kcat reads ${lines.length} records in ${topic}[${partition}]`);
      assert.equal(new Set(lines.map((l) => l.key)).size, PER_PARTITION, `no key twice in ${topic}[${partition}]`);
    }
  });
}
