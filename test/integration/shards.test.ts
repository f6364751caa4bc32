import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assignShards, writePlanFile } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { runKreroute } from '../support/cli-run.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatRead } from '../support/kcat-count.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const PARTITIONS = 4;

interface Copier {
  child: ChildProcess;
  exited: Promise<number>;
  stderr: () => string;
  /** Resolves once the copier said it is starting or resuming the copy. */
  started: Promise<void>;
}

function copier(args: string[], env: NodeJS.ProcessEnv = {}): Copier {
  const child = spawn(process.execPath, [CLI, 'copy', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (/(starting|resuming) the copy/.test(stderr)) markStarted();
  });
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : (code ?? -1))));
  return { child, exited, stderr: () => stderr, started };
}

async function startedWithin(run: Copier, ms: number): Promise<void> {
  const timeout = sleep(ms).then(() => {
    throw new Error(`no "starting the copy" line within ${ms} ms: ${run.stderr()}`);
  });
  await Promise.race([run.started, timeout, run.exited.then((code) => assert.fail(`copier exited (${code}) before starting: ${run.stderr()}`))]);
}

/** A topic whose partition p holds `counts[p]` records "p<p>-<i>", and a plan of all of it. */
async function setUp(name: string, counts: number[]) {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName(name);
  await createTopic(sourceBootstrap, topic, counts.length);
  await produce(
    sourceBootstrap,
    topic,
    new Map(counts.map((n, p) => [p, Array.from({ length: n }, (_, i) => record(`k${i % 101}`, `p${p}-${i}`.padEnd(200, '.')))])),
    500,
  );
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true, exact: true });
  const dir = await stateDir(name);
  const planFile = join(dir, 'plan.json');
  await writePlanFile(planFile, p);
  const clusters = ['--source', sourceBootstrap, '--destination', destinationBootstrap];
  return { topic, p, dir, planFile, clusters, destinationBootstrap };
}

/** kcat, read_committed: every partition holds its source records once each, in order. */
async function assertExactlyOnce(bootstrap: string, topic: string, counts: number[]): Promise<void> {
  for (const [partition, n] of counts.entries()) {
    const keys = (await kcatRead(bootstrap, topic, partition, ['-o', 'beginning'])).map((r) => r.key);
    assert.equal(keys.length, n, `partition ${partition}: ${keys.length} records where ${n} were copied (0 lost, 0 duplicated)`);
    assert.deepEqual(
      keys,
      Array.from({ length: n }, (_, i) => `k${i % 101}`),
      `partition ${partition}: source order`,
    );
  }
}

test('shards of a skewed plan on real brokers: disjoint, covering, balanced by bytes', async () => {
  const { p } = await setUp('shard-skew', [5000, 500, 500, 500, 500, 500]);
  const shards = assignShards(p, 3, 'copy');
  const partitions = shards.map((units) => units.flatMap((u) => u.partitions).sort());
  assert.deepEqual(partitions.flat().sort(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(partitions[0], [0], 'the partition holding 10× the others is a shard of its own');
  const bytes = shards.map((units) => units.reduce((sum, u) => sum + u.bytes, 0));
  // Five equal partitions over two shards: three and two, as close as whole partitions allow.
  const small = shards[1]![0]!.bytes;
  assert.ok(bytes[1]! > 0 && Math.abs(bytes[1]! - bytes[2]!) <= small * 1.05, `the other shards share the rest as evenly as whole partitions allow: ${bytes}`);
});

test('exactly-once shards in two processes: one killed and restarted, one fenced by a second copier; verify from a third passes', async () => {
  const counts = [8000, 6000, 6000, 8000];
  const { topic, dir, planFile, clusters, destinationBootstrap } = await setUp('shard-eos', counts);
  const args = (shard: string, state: string, ...more: string[]) => [
    planFile,
    '--shard',
    shard,
    ...clusters,
    '--mode',
    'exactly-once',
    '--state-dir',
    join(dir, state),
    ...more,
  ];

  const killed = copier(args('0/2', 'a', '--max-rate', '3000'));
  // Slow enough to be still copying when its fencer starts (14,000 records at 1,000/s).
  const fencedOne = copier(args('1/2', 'b', '--max-rate', '1000'));
  await Promise.all([startedWithin(killed, 60_000), startedWithin(fencedOne, 60_000)]);
  // Past the first commit (about 1 s), before the end (14,000 records at 3,000/s).
  await sleep(1300 + Math.floor(Math.random() * 1500));
  killed.child.kill('SIGKILL');
  assert.equal(await killed.exited, -1, `shard 0 was killed mid-copy: ${killed.stderr()}`);
  const fencer = copier(args('1/2', 'c'));
  const restarted = copier(args('0/2', 'a'));
  assert.equal(await fencer.exited, 0, fencer.stderr());
  assert.equal(await fencedOne.exited, 7, `the first copier of shard 1 was fenced: ${fencedOne.stderr()}`);
  assert.match(fencedOne.stderr(), /FENCED/);
  assert.equal(await restarted.exited, 0, restarted.stderr());
  assert.match(restarted.stderr(), /resuming/);

  const verify = await runKreroute(['verify', planFile, ...clusters, '--state-dir', join(dir, 'fresh')]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  await assertExactlyOnce(destinationBootstrap, topic, counts);
});

test('at-least-once: a shard killed and resumed on "another machine" (a fresh state folder) continues from the destination and writes nothing twice', async () => {
  const counts = [7000, 7000, 7000, 7000];
  const { topic, dir, planFile, clusters, destinationBootstrap } = await setUp('shard-alo', counts);
  const args = (shard: string, state: string, ...more: string[]) => [
    planFile,
    '--shard',
    shard,
    ...clusters,
    '--mode',
    'at-least-once',
    '--state-dir',
    join(dir, state),
    ...more,
  ];
  const other = copier(args('0/2', 'a'));
  const killed = copier(args('1/2', 'b', '--max-rate', '5000'));
  await startedWithin(killed, 60_000);
  await sleep(500 + Math.floor(Math.random() * 800));
  killed.child.kill('SIGKILL');
  assert.equal(await killed.exited, -1, `shard 1 was killed mid-copy: ${killed.stderr()}`);
  const elsewhere = copier(args('1/2', 'elsewhere'));
  assert.equal(await elsewhere.exited, 0, elsewhere.stderr());
  assert.match(elsewhere.stderr(), /will not be written again|resuming|the copy \(at-least-once\)/);
  assert.equal(await other.exited, 0, other.stderr());

  const status = await runKreroute(['status', planFile, '--destination', sides().destinationBootstrap, '--state-dir', join(dir, 'fresh')]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /shard 0\/2\s+done/);
  assert.match(status.stdout, /shard 1\/2\s+done/);
  const verify = await runKreroute(['verify', planFile, ...clusters, '--state-dir', join(dir, 'fresh')]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  await assertExactlyOnce(destinationBootstrap, topic, counts);
});

test('status, verify and purge refuse while a shard is unfinished; purge needs every verify shard; layouts do not mix', async () => {
  const counts = [2000, 2000, 2000, 2000];
  const { topic, dir, planFile, clusters, destinationBootstrap } = await setUp('shard-refuse', counts);
  const at = (state: string) => ['--state-dir', join(dir, state)];
  const first = await runKreroute(['copy', planFile, '--shard', '0/2', ...clusters, ...at('a')]);
  assert.equal(first.code, 0, first.stderr);

  const status = await runKreroute(['status', planFile, '--destination', destinationBootstrap, ...at('fresh')]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /shard 0\/2\s+done/);
  assert.match(status.stdout, /shard 1\/2\s+waiting\s+not started/);
  assert.match(status.stdout, /ETA unknown/);

  const early = await runKreroute(['verify', planFile, ...clusters, ...at('fresh')]);
  assert.equal(early.code, 2, early.stderr);
  assert.match(early.stderr, /the copy of this plan has not finished: shard 1\/2 \(not started\)/);
  assert.equal(
    early.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('error')).length <= 1,
    true,
  );
  const purge = await runKreroute(['purge', planFile, '--dry-run', ...clusters, ...at('fresh')]);
  assert.equal(purge.code, 9, purge.stderr);
  assert.match(purge.stderr, /purge refused: the copy of this plan has not finished: shard 1\/2 \(not started\)/);

  const mixed = await runKreroute(['copy', planFile, '--shard', '0/3', ...clusters, ...at('x')]);
  assert.equal(mixed.code, 6, mixed.stderr);
  assert.match(mixed.stderr, /already being copied as 2 shard\(s\)/);
  const whole = await runKreroute(['copy', planFile, ...clusters, ...at('y')]);
  assert.equal(whole.code, 6, whole.stderr);

  const second = await runKreroute(['copy', planFile, '--shard', '1/2', ...clusters, ...at('b')]);
  assert.equal(second.code, 0, second.stderr);
  const half = await runKreroute(['verify', planFile, '--shard', '0/2', ...clusters, ...at('v0')]);
  assert.equal(half.code, 0, half.stdout + half.stderr);
  const tooEarly = await runKreroute(['purge', planFile, '--dry-run', ...clusters, ...at('p')]);
  assert.equal(tooEarly.code, 9, tooEarly.stderr);
  assert.match(tooEarly.stderr, /verify shard\(s\) 1\/2 have no verdict yet/);
  const rest = await runKreroute(['verify', planFile, '--shard', '1/2', ...clusters, ...at('v1')]);
  assert.equal(rest.code, 0, rest.stdout + rest.stderr);
  const ready = await runKreroute(['purge', planFile, '--dry-run', ...clusters, ...at('p')]);
  assert.equal(ready.code, 0, ready.stderr);
  assert.match(ready.stdout, /dry run|would/i);
  await assertExactlyOnce(destinationBootstrap, topic, counts);
});

test('at-least-once: a shard killed after saving its finished checkpoint here but before the destination has it is finished there by the next run', async () => {
  const counts = [3000, 3000];
  const { topic, dir, planFile, clusters, destinationBootstrap } = await setUp('shard-alo-end', counts);
  const args = (shard: string) => [planFile, '--shard', shard, ...clusters, '--mode', 'at-least-once', '--state-dir', join(dir, 'state')];
  const other = copier(args('1/2'));
  const killed = copier(args('0/2'), { KREROUTE_FAULT_POINT: 'complete-saved-locally@1:kill' });
  assert.equal(await killed.exited, -1, `killed at the fault point: ${killed.stderr()}`);
  assert.match(killed.stderr(), /fault point complete-saved-locally reached/);
  assert.equal(await other.exited, 0, other.stderr());
  const before = await runKreroute(['status', planFile, '--destination', destinationBootstrap, '--state-dir', join(dir, 'elsewhere')]);
  assert.doesNotMatch(before.stdout, /shard 0\/2\s+done/, 'seen from another machine, shard 0 is not done yet');
  const rerun = copier(args('0/2'));
  assert.equal(await rerun.exited, 0, rerun.stderr());
  assert.match(rerun.stderr(), /already copied completely/);
  const after = await runKreroute(['status', planFile, '--destination', destinationBootstrap, '--state-dir', join(dir, 'elsewhere')]);
  assert.match(after.stdout, /shard 0\/2\s+done/);
  const verify = await runKreroute(['verify', planFile, ...clusters, '--state-dir', join(dir, 'elsewhere')]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  await assertExactlyOnce(destinationBootstrap, topic, counts);
});
