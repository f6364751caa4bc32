import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import test from 'node:test';
import { JobMetrics } from '../../../../src/cli/metrics/job-metrics.ts';
import { MAX_PARTITIONS_WITH_SERIES, PrometheusSink } from '../../../../src/cli/metrics/prometheus-sink.ts';
import { NOT_BUILT, goTool } from '../../../support/go-tools.ts';
import { exercisedExposition, familiesOf } from '../../../support/metrics-exposition.ts';

const ours = (families: Map<string, string>) => [...families].filter(([name]) => name.startsWith('kreroute_'));

/** Only the lines of kreroute's own families (prom-client's nodejs_* gauges break a rule that is not ours to fix). */
const ownFamilies = (page: string): string =>
  `${page
    .split('\n')
    .filter((line) => /^(# (HELP|TYPE) )?kreroute_/.test(line))
    .join('\n')}\n`;

test("every metric follows Prometheus's naming rules: counters end in _total, base units, no rates", async () => {
  const families = familiesOf(await exercisedExposition());
  assert.ok(ours(families).length >= 18, `kreroute's families: ${ours(families).map(([n]) => n)}`);
  for (const [name, type] of ours(families)) {
    assert.match(name, /^kreroute_[a-z][a-z_]*[a-z]$/, name);
    assert.equal(name.endsWith('_total'), type === 'counter', `${name} (${type}): counters, and only counters, end in _total`);
    assert.doesNotMatch(name, /_per_second|_rate$|_done$/, `${name}: no rates computed in the tool, no "done" (a count is a counter)`);
    assert.doesNotMatch(name, /_(ms|milliseconds|minutes|hours|kb|mb|kilobytes|megabytes)(_|$)/, `${name}: base units (seconds, bytes)`);
    if (/bytes/.test(name)) assert.match(name, /_bytes(_total)?$/, `${name}: the unit at the end, before _total`);
    if (/seconds/.test(name)) assert.match(name, /_seconds(_total)?$/, `${name}: the unit at the end, before _total`);
  }
});

const promcheck = goTool('promcheck');

test("client_golang's promlint finds nothing to say about kreroute's metrics", { skip: promcheck ? false : NOT_BUILT }, async () => {
  const page = ownFamilies(await exercisedExposition());
  const lint = spawnSync(promcheck!, ['lint'], { input: page, encoding: 'utf8', timeout: 30_000 });
  assert.equal(lint.status, 0, `promlint: ${lint.stdout}${lint.stderr}`);
  // promlint does see problems where there are some: the old kreroute_bytes_done as a counter.
  const bad = spawnSync(promcheck!, ['lint'], {
    input: '# HELP kreroute_bytes_done x\n# TYPE kreroute_bytes_done counter\nkreroute_bytes_done 1\n',
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(bad.status, 1, bad.stdout);
  assert.match(bad.stdout, /kreroute_bytes_done: counter metrics should have "_total" suffix/);
});

test('records and bytes: counters of this process; expected and remaining: gauges of the plan, earlier runs included', async () => {
  const sink = new PrometheusSink();
  sink.planned('copy', 'orders', 0, { records: 100, bytes: 1000 }, 40);
  sink.planned('copy', 'orders', 1, { records: 50, bytes: 500 }, 0);
  sink.progressed('copy', 10, 100, 'orders', 0);
  sink.progressed('copy', 5, 50, 'orders', 1);
  const page = await sink.registry.metrics();
  assert.match(page, /^kreroute_records_total\{stage="copy"\} 15$/m);
  assert.match(page, /^kreroute_bytes_total\{stage="copy"\} 150$/m);
  assert.match(page, /^kreroute_records_expected\{stage="copy"\} 150$/m);
  assert.match(page, /^kreroute_records_remaining\{stage="copy"\} 95$/m, '150 - 40 before - 15 now');
  assert.match(page, /^kreroute_topic_records_remaining\{stage="copy",topic="orders"\} 95$/m);
  sink.progressed('copy', 5, 50, 'orders', 1);
  sink.finished('copy', 'orders', 0);
  const later = await sink.registry.metrics();
  assert.match(later, /^kreroute_records_total\{stage="copy"\} 20$/m, 'a counter collected twice only grows by what was done in between');
  assert.match(later, /^kreroute_records_remaining\{stage="copy"\} 40$/m, 'a finished partition has nothing left');
});

test('per-partition series: absent by default; with the option, for at most 500 partitions and one warning', async () => {
  const plain = new PrometheusSink();
  plain.planned('copy', 'orders', 0, { records: 1, bytes: 1, endOffset: 1 }, 0);
  assert.doesNotMatch(await plain.registry.metrics(), /kreroute_partition_/);

  const warnings: string[] = [];
  const sink = new PrometheusSink({ partitions: true, onWarning: (message) => warnings.push(message) });
  for (let p = 0; p < MAX_PARTITIONS_WITH_SERIES + 100; p++) {
    sink.planned('copy', 'orders', p, { records: 10, bytes: 10, endOffset: 10 }, 0);
    sink.position('copy', 'orders', p, 3);
  }
  const page = await sink.registry.metrics();
  assert.equal(page.match(/^kreroute_partition_records_remaining\{/gm)?.length, MAX_PARTITIONS_WITH_SERIES);
  assert.equal(page.match(/^kreroute_partition_offset_lag\{/gm)?.length, MAX_PARTITIONS_WITH_SERIES);
  assert.match(page, /^kreroute_partition_offset_lag\{stage="copy",topic="orders",partition="0"\} 7$/m, 'pinned end 10 - position 3');
  assert.match(page, /^kreroute_topic_records_remaining\{stage="copy",topic="orders"\} 6000$/m, 'the topic still counts every partition');
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^--metrics-partitions: per-partition series only for the first 500 partitions/);
});

test('with workers: summed, each partition once, bounded over the job; the stage and the exit code are the supervisor’s', async () => {
  const warnings: string[] = [];
  const job = new JobMetrics({ partitions: true, onWarning: (message) => warnings.push(message) });
  job.sink.stage('copy');
  for (const [shard, first] of [
    ['0/2', 0],
    ['1/2', 300],
  ] as const) {
    const worker = new PrometheusSink({ partitions: true });
    worker.stage('copy');
    for (let p = first; p < first + 300; p++) worker.planned('copy', 'orders', p, { records: 10, bytes: 100, endOffset: 10 }, 0);
    worker.progressed('copy', 7, 70, 'orders', first);
    worker.checkpointed();
    worker.ended('copy', 0);
    job.workerReported(shard, await worker.registry.getMetricsAsJSON());
  }
  job.sink.ended('copy', 0);
  const { body } = await job.page();
  assert.match(body, /^kreroute_records_total\{stage="copy"\} 14$/m);
  assert.match(body, /^kreroute_records_expected\{stage="copy"\} 6000$/m);
  assert.match(body, /^kreroute_stage\{stage="copy"\} 1$/m);
  assert.match(body, /^kreroute_exit_code\{command="copy"\} 0$/m, 'once, not summed over the processes');
  assert.equal(body.match(/^kreroute_info\{/gm)?.length, 1);
  assert.equal(body.match(/^kreroute_partition_records_remaining\{/gm)?.length, MAX_PARTITIONS_WITH_SERIES);
  const checkpoint = Number(/^kreroute_checkpoint_last_commit_timestamp_seconds (\S+)$/m.exec(body)?.[1]);
  assert.ok(Math.abs(checkpoint - Date.now() / 1000) < 60, `the latest checkpoint, not a sum: ${checkpoint}`);
  assert.equal(warnings.length, 1);
});
