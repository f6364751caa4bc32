// --metrics-port: Prometheus metrics scraped while a throttled copy runs move, and end where the
// copy ended (records counted = the plan's exact count, nothing remaining in any topic); with
// --workers, the supervisor serves every worker's metrics combined.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyPlan, verifyPlan, writePlanFile } from '../../src/index.ts';
import { JobMetrics } from '../../src/cli/metrics/job-metrics.ts';
import { serveMetrics } from '../../src/cli/metrics/metrics-server.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text page. */
function parse(page: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of page.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

const pick = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const sum = (samples: Sample[], name: string, labels: Record<string, string> = {}) => pick(samples, name, labels).reduce((total, s) => total + s.value, 0);

async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  return parse(await response.text());
}

/** Scrapes every 150 ms until `done` settles; returns the scrapes. */
async function scrapeWhile(url: () => string | undefined, done: Promise<unknown>): Promise<Sample[][]> {
  const scrapes: Sample[][] = [];
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    const at = url();
    if (at) scrapes.push(await scrape(at).catch(() => []));
    await sleep(150);
  }
  return scrapes.filter((s) => s.length > 0);
}

async function seed(name: string, partitions: number, perPartition: number) {
  const { sourceBootstrap } = sides();
  const topic = uniqueName(name);
  await createTopic(sourceBootstrap, topic, partitions);
  const rows = (p: number) => Array.from({ length: perPartition }, (_, i) => record(`k${i % 17}`, `p${p}-${i}`.padEnd(120, '.')));
  await produce(sourceBootstrap, topic, new Map([...Array(partitions).keys()].map((p) => [p, rows(p)])), 100);
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true, exact: true });
  return { topic, plan: p };
}

test('a throttled copy: metrics move while it runs and end as the copy did; then verify', async (t) => {
  const { source, destination } = sides();
  const { topic, plan: p } = await seed('metrics', 4, 1500);
  const dir = await stateDir('metrics');
  const job = new JobMetrics();
  const server = await serveMetrics('127.0.0.1', 0, () => job.page());
  t.after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const copying = copyPlan(p, { source, destination, stateDir: dir, maxRatePerSec: 2500, metrics: job.sink });
  const during = await scrapeWhile(() => server.url.replace('0.0.0.0', '127.0.0.1'), copying);
  const summary = await copying;
  const total = p.estimate.records;
  assert.equal(total, 6000);

  const done = during.map((s) => sum(s, 'kreroute_records_total', { stage: 'copy' }));
  assert.ok(during.length >= 5, `${during.length} scrapes during a copy of ~2.4 s`);
  assert.ok(
    done.some((d) => d > 0 && d < total),
    `a scrape in the middle of the copy: ${done.join(' ')}`,
  );
  assert.ok(
    done.every((d, i) => i === 0 || d >= done[i - 1]!),
    `records done never go back: ${done.join(' ')}`,
  );
  assert.ok(new Set(done).size >= 3, `records done moved: ${done.join(' ')}`);
  const middle = during.find((s) => {
    const d = sum(s, 'kreroute_records_total', { stage: 'copy' });
    return d > 0 && d < total;
  })!;
  assert.equal(sum(middle, 'kreroute_stage', { stage: 'copy' }), 1);
  assert.equal(
    sum(middle, 'kreroute_records_total', { stage: 'copy' }) + sum(middle, 'kreroute_records_remaining', { stage: 'copy' }),
    total,
    'done + remaining = the plan',
  );
  assert.equal(
    sum(middle, 'kreroute_topic_records_remaining', { stage: 'copy', topic }),
    sum(middle, 'kreroute_records_remaining', { stage: 'copy' }),
    'the one topic holds all that remains',
  );

  const end = await scrape(server.url.replace('0.0.0.0', '127.0.0.1'));
  assert.equal(sum(end, 'kreroute_records_total', { stage: 'copy' }), total, "records counted = the plan's exact count");
  assert.equal(sum(end, 'kreroute_records_total', { stage: 'copy' }), summary.records);
  assert.equal(sum(end, 'kreroute_bytes_total', { stage: 'copy' }), summary.bytes);
  assert.equal(sum(end, 'kreroute_records_expected', { stage: 'copy' }), total);
  assert.equal(sum(end, 'kreroute_records_remaining', { stage: 'copy' }), 0);
  assert.equal(sum(end, 'kreroute_topic_records_remaining', { stage: 'copy', topic }), 0);
  assert.deepEqual(
    end.filter((s) => s.name.startsWith('kreroute_partition_')),
    [],
    'no per-partition series unless asked for',
  );
  assert.equal(sum(end, 'kreroute_in_flight_bytes'), 0);
  assert.ok(pick(end, 'kreroute_checkpoint_last_commit_timestamp_seconds')[0]!.value > Date.now() / 1000 - 60, 'a checkpoint committed just now');
  assert.ok(sum(end, 'kreroute_wait_seconds_total', { for: 'rate-limit' }) > 0.5, 'waited for --max-rate');
  assert.ok(sum(end, 'kreroute_wait_seconds_total', { for: 'source' }) > 0, 'waited for fetches');
  if (summary.mode === 'exactly-once') {
    assert.ok(sum(end, 'kreroute_transaction_commits_total') >= 2, 'committed as it went');
    assert.equal(sum(end, 'kreroute_transaction_commit_seconds_count'), sum(end, 'kreroute_transaction_commits_total'));
  }
  assert.equal(pick(end, 'kreroute_info')[0]?.value, 1);
  assert.ok(pick(end, 'process_resident_memory_bytes').length === 1, 'the process metrics too');

  const report = await verifyPlan(p, { source, destination, stateDir: dir, metrics: job.sink });
  assert.equal(report.passed, true);
  const verified = await scrape(server.url.replace('0.0.0.0', '127.0.0.1'));
  assert.equal(sum(verified, 'kreroute_stage', { stage: 'verify' }), 1);
  assert.equal(sum(verified, 'kreroute_stage', { stage: 'copy' }), 0);
  assert.equal(sum(verified, 'kreroute_records_total', { stage: 'verify' }), total);
  assert.equal(sum(verified, 'kreroute_topic_records_remaining', { stage: 'verify', topic }), 0);
});

test("copy --workers 2 --metrics-port 0 --metrics-partitions: the supervisor serves both workers' metrics combined", async (t) => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const { topic, plan: p } = await seed('metrics-workers', 8, 1000);
  const dir = await stateDir('metrics-workers');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const planFile = join(dir, 'plan.json');
  await writePlanFile(planFile, p);
  const args = [
    '--json',
    'copy',
    planFile,
    '--source',
    sourceBootstrap,
    '--destination',
    destinationBootstrap,
    '--workers',
    '2',
    '--max-rate',
    '3000',
    '--metrics-port',
    '0',
    '--metrics-host',
    '127.0.0.1',
    '--metrics-partitions',
  ];
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let url: string | undefined;
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    const served = /^metrics: serving at (\S+)$/.exec(String(line['message'] ?? ''));
    if (served) url = served[1];
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const scrapes = await scrapeWhile(() => url, exited);
  assert.equal(await exited, 0, stderr);
  assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  assert.ok(
    lines.every((l) => typeof l['time'] === 'string' && !Number.isNaN(Date.parse(l['time'] as string))),
    'every --json line has its time',
  );
  assert.ok(!lines.some((l) => l['type'] === 'metrics'), "the workers' metrics lines stay between them and the supervisor");

  const done = scrapes.map((s) => sum(s, 'kreroute_records_total', { stage: 'copy' }));
  assert.ok(new Set(done).size >= 3, `records done moved: ${done.join(' ')}`);
  assert.ok(done.every((d) => d <= p.estimate.records));
  const last = scrapes.at(-1)!;
  assert.equal(sum(last, 'kreroute_stage', { stage: 'copy' }), 1);
  // Both workers' partitions, each reported once.
  for (const name of ['kreroute_partition_records_remaining', 'kreroute_partition_offset_lag']) {
    const partitions = pick(last, name, { stage: 'copy', topic })
      .map((s) => Number(s.labels['partition']))
      .sort((a, b) => a - b);
    assert.deepEqual(partitions, [0, 1, 2, 3, 4, 5, 6, 7], name);
  }
  assert.equal(sum(last, 'kreroute_records_expected', { stage: 'copy' }), p.estimate.records);
  assert.equal(pick(last, 'kreroute_start_time_seconds').length, 1);
  assert.ok(pick(last, 'kreroute_start_time_seconds')[0]!.value < Date.now() / 1000, 'the earliest start, not a sum');
});
