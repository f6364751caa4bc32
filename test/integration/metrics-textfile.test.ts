// --metrics-textfile and --metrics-push: a command's last metrics stay readable after its process
// has ended (node_exporter's textfile collector; a real Pushgateway), for plan, copy and verify.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKreroute } from '../support/cli-process.ts';
import { runKreroute } from '../support/cli-run.ts';
import { uniqueName } from '../support/clusters.ts';
import { sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { NOT_BUILT, goTool } from '../support/go-tools.ts';

/** The value of one sample of a Prometheus text page (labels exactly as written), or undefined. */
function sampleValue(page: string, series: string): number | undefined {
  const line = page.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function seed(name: string, partitions: number, perPartition: number): Promise<string> {
  const { sourceBootstrap } = sides();
  const topic = uniqueName(name);
  await createTopic(sourceBootstrap, topic, partitions);
  const rows = (p: number) => Array.from({ length: perPartition }, (_, i) => record(`k${i % 13}`, `p${p}-${i}`.padEnd(100, '.')));
  await produce(sourceBootstrap, topic, new Map([...Array(partitions).keys()].map((p) => [p, rows(p)])), 100);
  return topic;
}

const clusterArgs = () => ['--source', sides().sourceBootstrap, '--destination', sides().destinationBootstrap];

test('plan, copy and verify with --metrics-textfile: the final values stay in the file after the process ended', async (t) => {
  const topic = await seed('metrics-textfile', 3, 800);
  const total = 2400;
  const dir = await stateDir('metrics-textfile');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const planFile = join(dir, 'tenant.plan.json');
  const files = { plan: join(dir, 'plan.prom'), early: join(dir, 'verify-early.prom'), copy: join(dir, 'copy.prom'), verify: join(dir, 'verify.prom') };

  const planned = await runKreroute([
    'plan',
    ...clusterArgs(),
    '--topic',
    topic,
    '--exact',
    '--create-topics',
    '--out',
    planFile,
    '--metrics-textfile',
    files.plan,
  ]);
  assert.equal(planned.code, 0, planned.stderr);
  const planPage = await readFile(files.plan, 'utf8');
  assert.equal(sampleValue(planPage, 'kreroute_exit_code{command="plan"}'), 0);
  assert.equal(sampleValue(planPage, 'kreroute_stage{stage="plan"}'), 1);
  assert.equal(sampleValue(planPage, 'kreroute_records_expected{stage="copy"}'), total, "the plan's exact count");
  assert.ok(sampleValue(planPage, 'kreroute_end_time_seconds')! >= sampleValue(planPage, 'kreroute_start_time_seconds')!);

  // A command that fails leaves its exit code and its error's code.
  const early = await runKreroute(['verify', planFile, ...clusterArgs(), '--metrics-textfile', files.early]);
  assert.notEqual(early.code, 0, 'verify before the copy fails');
  const code = /kreroute: ([A-Z_]+):/.exec(early.stderr)?.[1];
  const earlyPage = await readFile(files.early, 'utf8');
  assert.equal(sampleValue(earlyPage, 'kreroute_exit_code{command="verify"}'), early.code);
  assert.equal(sampleValue(earlyPage, `kreroute_errors_total{code="${code}"}`), 1, earlyPage);

  // The copy, rate-limited to ~2.4 s and written every second: the file moves while it runs.
  const started = Date.now() / 1000;
  const copying = runKreroute(['copy', planFile, ...clusterArgs(), '--max-rate', '1000', '--metrics-textfile', files.copy, '--metrics-interval', '1s']);
  let finished = false;
  void copying.finally(() => (finished = true));
  const seen: number[] = [];
  while (!finished) {
    const page = await readFile(files.copy, 'utf8').catch(() => '');
    const done = sampleValue(page, 'kreroute_records_total{stage="copy"}');
    if (done !== undefined) seen.push(done);
    await sleep(200);
  }
  const copied = await copying;
  assert.equal(copied.code, 0, copied.stderr);
  assert.ok(
    seen.some((n) => n > 0 && n < total),
    `the file was written during the copy: ${seen.join(' ')}`,
  );
  const copyPage = await readFile(files.copy, 'utf8');
  assert.equal(sampleValue(copyPage, 'kreroute_records_total{stage="copy"}'), total, "records copied by this run = the plan's exact count");
  assert.ok(sampleValue(copyPage, 'kreroute_bytes_total{stage="copy"}')! > total * 100);
  assert.equal(sampleValue(copyPage, 'kreroute_records_expected{stage="copy"}'), total);
  assert.equal(sampleValue(copyPage, 'kreroute_records_remaining{stage="copy"}'), 0);
  assert.equal(sampleValue(copyPage, `kreroute_topic_records_remaining{stage="copy",topic="${topic}"}`), 0);
  assert.equal(sampleValue(copyPage, 'kreroute_exit_code{command="copy"}'), 0);
  const checkpoint = sampleValue(copyPage, 'kreroute_checkpoint_last_commit_timestamp_seconds')!;
  assert.ok(checkpoint >= started && checkpoint <= Date.now() / 1000, `checkpoint committed during the copy: ${checkpoint}`);
  assert.doesNotMatch(copyPage, /kreroute_partition_/, 'no per-partition series without --metrics-partitions');
  assert.doesNotMatch(copyPage, /_per_second|_done\b/);
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
    [],
    'no temporary file left behind',
  );

  const verified = await runKreroute(['verify', planFile, ...clusterArgs(), '--metrics-textfile', files.verify, '--metrics-partitions']);
  assert.equal(verified.code, 0, verified.stderr);
  const verifyPage = await readFile(files.verify, 'utf8');
  assert.equal(sampleValue(verifyPage, 'kreroute_records_total{stage="verify"}'), total);
  assert.equal(sampleValue(verifyPage, 'kreroute_exit_code{command="verify"}'), 0);
  assert.equal(sampleValue(verifyPage, 'kreroute_stage{stage="verify"}'), 1);
  for (const partition of [0, 1, 2])
    assert.equal(sampleValue(verifyPage, `kreroute_partition_records_remaining{stage="verify",topic="${topic}",partition="${partition}"}`), 0);
  assert.equal(verifyPage.match(/^kreroute_partition_records_remaining\{/gm)?.length, 3);
});

test('a copy stopped by SIGTERM (a Kubernetes pod deleted) leaves its exit code and INTERRUPTED in the textfile', async (t) => {
  const topic = await seed('metrics-sigterm', 1, 3000);
  const dir = await stateDir('metrics-sigterm');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const planFile = join(dir, 'stopped.plan.json');
  const planned = await runKreroute(['plan', ...clusterArgs(), '--topic', topic, '--exact', '--create-topics', '--out', planFile]);
  assert.equal(planned.code, 0, planned.stderr);
  const file = join(dir, 'copy.prom');
  const copy = startKreroute(['copy', planFile, ...clusterArgs(), '--max-rate', '500', '--metrics-textfile', file, '--metrics-interval', '1s']);
  t.after(() => copy.child.kill('SIGKILL'));
  let copied = 0;
  for (const deadline = Date.now() + 30_000; copied === 0 && Date.now() < deadline; await sleep(200))
    copied = sampleValue(await readFile(file, 'utf8').catch(() => ''), 'kreroute_records_total{stage="copy"}') ?? 0;
  assert.ok(copied > 0, 'the copy was under way');
  copy.child.kill('SIGTERM');
  const { code } = await copy.exited;
  assert.equal(code, 143, copy.stderr());
  const page = await readFile(file, 'utf8');
  assert.equal(sampleValue(page, 'kreroute_exit_code{command="copy"}'), 143);
  assert.equal(sampleValue(page, 'kreroute_errors_total{code="INTERRUPTED"}'), 1);
  const done = sampleValue(page, 'kreroute_records_total{stage="copy"}')!;
  assert.ok(done >= copied && done < 3000, `stopped part way: ${done}`);
  assert.equal(sampleValue(page, 'kreroute_records_remaining{stage="copy"}'), 3000 - done, 'what is left, by the saved checkpoint');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A real Pushgateway (built by scripts/bootstrap.sh), ready to take pushes. */
async function startPushgateway(binary: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(100)) {
    if (
      await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, process: child };
  }
  child.kill();
  throw new Error('the Pushgateway did not start within 15 s');
}

test('plan and copy with --metrics-push: their last values stay on a real Pushgateway, one group per command, plan and shard', {
  skip: goTool('pushgateway') ? false : `the Pushgateway is ${NOT_BUILT}`,
}, async (t) => {
  const topic = await seed('metrics-push', 2, 500);
  const dir = await stateDir('metrics-push');
  const gateway = await startPushgateway(goTool('pushgateway')!);
  t.after(async () => {
    gateway.process.kill();
    await rm(dir, { recursive: true, force: true });
  });
  const planFile = join(dir, 'pushed.plan.json');
  const planned = await runKreroute([
    'plan',
    ...clusterArgs(),
    '--topic',
    topic,
    '--exact',
    '--create-topics',
    '--out',
    planFile,
    '--metrics-push',
    gateway.url,
  ]);
  assert.equal(planned.code, 0, planned.stderr);
  const copied = await runKreroute(['copy', planFile, ...clusterArgs(), '--shard', '0/1', '--metrics-push', gateway.url]);
  assert.equal(copied.code, 0, copied.stderr);
  assert.doesNotMatch(copied.stderr, /warning/);

  const page = await (await fetch(`${gateway.url}/metrics`)).text();
  const plan = 'plan="pushed.plan.json"';
  assert.equal(sampleValue(page, `kreroute_exit_code{command="plan",instance="",job="kreroute",${plan}}`), 0, page.slice(0, 2000));
  assert.equal(sampleValue(page, `kreroute_records_expected{command="plan",instance="",job="kreroute",${plan},stage="copy"}`), 1000);
  assert.equal(sampleValue(page, `kreroute_exit_code{command="copy",instance="",job="kreroute",${plan},shard="0-of-1"}`), 0);
  assert.equal(sampleValue(page, `kreroute_records_total{command="copy",instance="",job="kreroute",${plan},shard="0-of-1",stage="copy"}`), 1000);
  assert.ok(existsSync(planFile));
});

test('--metrics-push to a gateway that does not answer: one warning, and the command still succeeds', async (t) => {
  const dir = await stateDir('metrics-push-down');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const topic = await seed('metrics-push-down', 1, 10);
  const port = await freePort();
  const run = await runKreroute([
    'plan',
    ...clusterArgs(),
    '--topic',
    topic,
    '--out',
    join(dir, 'p.json'),
    '--create-topics',
    '--metrics-push',
    `http://user:s3cret-pw@127.0.0.1:${port}`,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr.match(/warning \[METRICS_EXPORT_FAILED\]: --metrics-push/g)?.length, 1, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(`warning \\[METRICS_EXPORT_FAILED\\]: --metrics-push: http://127\\.0\\.0\\.1:${port} did not take the metrics \\(ECONNREFUSED\\)`),
  );
  assert.doesNotMatch(run.stderr + run.stdout, /s3cret-pw/);
});
