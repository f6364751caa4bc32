// copy --workers: one job over several worker processes; a worker killed from outside and a Ctrl-C
// to the supervisor both leave a job that the same command finishes, with no loss and no duplicate.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { writePlanFile } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { jsonLineProblem } from '../support/json-output.ts';
import { kcatDump } from '../support/kcat.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const PARTITIONS = 12;

interface JsonLine {
  type: string;
  [key: string]: unknown;
}

/** `kreroute --json copy …` as a child process; every stdout line is handed to `onLine` as it comes. */
function kreroute(args: string[], onLine: (line: JsonLine) => void = () => undefined) {
  // Progress each second: some tests act when the copy has moved far enough.
  const child = spawn(process.execPath, [CLI, '--json', '--progress-interval', '1s', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: JsonLine[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as JsonLine;
    lines.push(line);
    onLine(line);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kreroute ${args.join(' ')} did not finish in 60 s: ${stderr}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return { child, exited, lines, stderr: () => stderr };
}

/** Every line, relayed from a worker or the supervisor's own, fits docs/json-output.schema.json. */
function assertFitSchema(lines: JsonLine[]): void {
  for (const line of lines) assert.equal(jsonLineProblem(line), null, JSON.stringify(line));
}

async function setUp(name: string, perPartition: number) {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName(name);
  await createTopic(sourceBootstrap, topic, PARTITIONS);
  const rows = (p: number) => Array.from({ length: perPartition }, (_, i) => record(`k${i % 31}`, `p${p}-${i}`.padEnd(100, '.')));
  await produce(sourceBootstrap, topic, new Map([...Array(PARTITIONS).keys()].map((p) => [p, rows(p)])), 100);
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir(name);
  const planFile = join(dir, 'plan.json');
  await writePlanFile(planFile, p);
  const args = ['copy', planFile, '--source', sourceBootstrap, '--destination', destinationBootstrap, '--state-dir', join(dir, 'state')];
  return { topic, dir, args, destinationBootstrap };
}

/** The oracle: every source record once on the destination, in order (kcat, read_committed). */
async function assertExactlyOnce(bootstrap: string, topic: string, perPartition: number): Promise<void> {
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const values = (await kcatDump(bootstrap, topic, partition, 0n, perPartition * 2)).map((r) => r.payload);
    const expected = Array.from({ length: perPartition }, (_, i) => `p${partition}-${i}`.padEnd(100, '.'));
    assert.equal(values.length, perPartition, `partition ${partition}: ${values.length} records, ${perPartition} expected (0 lost, 0 duplicated)`);
    assert.deepEqual(values, expected, `partition ${partition}: each record once, in order`);
  }
}

/** `kreroute verify` of the whole plan passes. */
async function assertVerifies(copyArgs: string[]): Promise<void> {
  const verify = kreroute(['verify', ...copyArgs.slice(1)]);
  assert.equal(await verify.exited, 0, verify.stderr());
  const report = verify.lines.find((l) => l.type === 'result')?.['report'] as { passed: boolean } | undefined;
  assert.equal(report?.passed, true);
}

const result = (lines: JsonLine[]) => lines.filter((l) => l.type === 'result' && l.kind === 'copy');
const shardsOf = (line: JsonLine | undefined) =>
  (line!['summary'] as { shards: Array<{ shard: string; summary: { alreadyComplete: boolean; records: number } }> }).shards;

test('--workers 3: three shards, one combined progress and result', async (t) => {
  const { topic, dir, args, destinationBootstrap } = await setUp('workers', 500);
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = kreroute([...args, '--workers', '3']);
  assert.equal(await run.exited, 0, run.stderr());
  const results = result(run.lines);
  assert.equal(results.length, 1, 'one combined result');
  const summary = results[0]!['summary'] as { records: number; workers: number; shards: Array<{ shard: string }> };
  assert.equal(summary.records, PARTITIONS * 500);
  assert.equal(summary.workers, 3);
  assert.deepEqual(
    summary.shards.map((s) => s.shard),
    ['0/3', '1/3', '2/3'],
  );
  assert.equal(run.lines.filter((l) => l.type === 'worker' && l['status'] === 'started').length, 3);
  assertFitSchema(run.lines);
  const progress = run.lines.filter((l) => l.type === 'progress');
  assert.equal(progress.at(-1)?.['records'], PARTITIONS * 500, 'the last progress line covers the whole plan');
  await assertExactlyOnce(destinationBootstrap, topic, 500);
  await assertVerifies(args);
  // A rerun asking for another count keeps the job's 3 shards, and finds each done.
  const again = kreroute([...args, '--workers', '5']);
  assert.equal(await again.exited, 0, again.stderr());
  assert.ok(again.lines.some((l) => l.type === 'info' && /begun as 3 shards/.test(l['message'] as string)));
  const shards = shardsOf(result(again.lines)[0]);
  assert.equal(shards.length, 3);
  assert.ok(shards.every((s) => s.summary.alreadyComplete));
});

test('reroute --workers: the copy stage runs in workers, then verify passes', async (t) => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('workers-reroute');
  await createTopic(sourceBootstrap, topic, PARTITIONS);
  const rows = (p: number) => Array.from({ length: 200 }, (_, i) => record(`k${i % 31}`, `p${p}-${i}`.padEnd(100, '.')));
  await produce(sourceBootstrap, topic, new Map([...Array(PARTITIONS).keys()].map((p) => [p, rows(p)])), 100);
  const dir = await stateDir('workers-reroute');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = kreroute([
    'reroute',
    '--source',
    sourceBootstrap,
    '--destination',
    destinationBootstrap,
    '--topic',
    topic,
    '--create-topics',
    '--out',
    join(dir, 'plan.json'),
    '--workers',
    '2',
  ]);
  assert.equal(await run.exited, 0, run.stderr());
  const stages = run.lines.filter((l) => l.type === 'result' && l.kind === 'reroute-stage');
  const copy = stages.find((l) => l['stage'] === 'copy');
  assert.deepEqual(
    shardsOf(copy).map((s) => s.shard),
    ['0/2', '1/2'],
  );
  assert.equal((stages.find((l) => l['stage'] === 'verify')!['report'] as { passed: boolean }).passed, true);
  await assertExactlyOnce(destinationBootstrap, topic, 200);
});

test('--workers: a worker killed from outside is reported, the others finish, and a rerun finishes it', async (t) => {
  const perPartition = 1500;
  const { topic, dir, args, destinationBootstrap } = await setUp('workers-kill', perPartition);
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pids = new Map<number, string>();
  let killed = null as string | null;
  const run = kreroute([...args, '--workers', '3', '--mode', 'at-least-once', '--max-rate', '3000'], (line) => {
    if (line.type === 'worker' && line['status'] === 'started') pids.set(line['pid'] as number, line['shard'] as string);
    if (line.type === 'progress' && (line['records'] as number) > 1500 && killed === null) {
      const [pid, shard] = [...pids][1]!;
      killed = shard;
      process.kill(pid, 'SIGKILL');
    }
  });
  assert.equal(await run.exited, 13, run.stderr());
  assert.ok(killed, 'a worker was killed while data moved');
  assert.ok(
    run.lines.some((l) => l.type === 'worker' && l['status'] === 'failed' && l['shard'] === killed && /killed by SIGKILL/.test(l['message'] as string)),
  );
  const error = run.lines.find((l) => l.type === 'error');
  assert.equal(error?.['code'], 'COPY_FAILED');
  assert.match(error?.['message'] as string, new RegExp(`1 of 3 shard\\(s\\) failed \\(${killed!.replace('/', '\\/')}: killed by SIGKILL\\)`));
  assert.match(run.stderr(), /run the same command again: it resumes the failed shards/);
  assertFitSchema(run.lines);

  const rerun = kreroute([...args, '--workers', '3', '--mode', 'at-least-once']);
  assert.equal(await rerun.exited, 0, rerun.stderr());
  const shards = shardsOf(result(rerun.lines)[0]);
  assert.deepEqual(
    shards.filter((s) => !s.summary.alreadyComplete).map((s) => s.shard),
    [killed],
    'only the killed shard had work left',
  );
  await assertExactlyOnce(destinationBootstrap, topic, perPartition);
  await assertVerifies(args);
});

test('--workers: Ctrl-C to the supervisor stops every worker at a clean point (INTERRUPTED), and a rerun finishes', async (t) => {
  const perPartition = 1500;
  const { topic, dir, args, destinationBootstrap } = await setUp('workers-int', perPartition);
  t.after(() => rm(dir, { recursive: true, force: true }));
  let sent = false;
  const run = kreroute([...args, '--workers', '3', '--max-rate', '3000'], (line) => {
    if (line.type === 'progress' && (line['records'] as number) > 1500 && !sent) {
      sent = true;
      run.child.kill('SIGINT');
    }
  });
  assert.equal(await run.exited, 130, run.stderr());
  assert.ok(sent);
  assert.match(run.stderr(), /kreroute: INTERRUPTED: .* — run the same command again/);
  assert.ok(!run.lines.some((l) => l.type === 'worker' && l['status'] === 'failed'), 'no worker failed: each stopped as asked');

  const rerun = kreroute([...args, '--workers', '3']);
  assert.equal(await rerun.exited, 0, rerun.stderr());
  await assertExactlyOnce(destinationBootstrap, topic, perPartition);
});

/** Whether a process has ended (gone, or a zombie no one reaped). */
async function ended(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat === null || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

test('--workers: a supervisor killed with kill -9 leaves no worker copying on; a rerun finishes', async (t) => {
  const perPartition = 1500;
  const { topic, dir, args, destinationBootstrap } = await setUp('workers-orphan', perPartition);
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pids: number[] = [];
  let killed = false;
  const run = kreroute([...args, '--workers', '3', '--max-rate', '3000'], (line) => {
    if (line.type === 'worker' && line['status'] === 'started') pids.push(line['pid'] as number);
    if (line.type === 'progress' && (line['records'] as number) > 1500 && !killed) {
      killed = true;
      run.child.kill('SIGKILL');
    }
  });
  await run.exited;
  assert.ok(killed && pids.length === 3, run.stderr());
  // Their stdin closed with the supervisor: each stops at a clean point, long before the copy would end.
  const deadline = Date.now() + 20_000;
  for (const pid of pids) {
    while (!(await ended(pid))) {
      assert.ok(Date.now() < deadline, `worker ${pid} still runs 20 s after its supervisor was killed`);
      await sleep(100);
    }
  }
  const rerun = kreroute([...args, '--workers', '3']);
  assert.equal(await rerun.exited, 0, rerun.stderr());
  assert.ok(
    shardsOf(result(rerun.lines)[0]).some((s) => !s.summary.alreadyComplete),
    'the workers stopped early, not at the end of their shards',
  );
  await assertExactlyOnce(destinationBootstrap, topic, perPartition);
});
