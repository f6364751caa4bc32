// Two machines start copies of one plan in different shard layouts at the same moment: exactly
// one layout may win, the other must refuse with one line before it writes a record (shards of
// another count cover other partitions, so both would copy some records twice).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { shardPlan, writePlanFile } from '../../src/index.ts';
import { DestinationCheckpointStore } from '../../src/checkpoint/destination-store.ts';
import { claimLayout } from '../../src/shard/layout-claim.ts';
import { readJobState } from '../../src/shard/job-state.ts';
import { runKreroute } from '../support/cli-run.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

/**
 * A copier stopped (SIGSTOP) right after it read the checkpoint topic for the copy's layout, so
 * that two of them have both read before either writes: the moment a real race can hit.
 */
function pausedCopy(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'copy', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, KREROUTE_FAULT_POINT: 'layout-read@1:stop' },
  });
  let stderr = '';
  let markPaused: () => void = () => undefined;
  const paused = new Promise<void>((resolve) => (markPaused = resolve));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('fault point layout-read reached')) markPaused();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const exited = new Promise<{ code: number; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? -1 : (code ?? -1), stderr });
    }),
  );
  return { child, paused: Promise.race([paused, exited]), exited };
}

async function stopped(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (stat === '' || /^T/.test(stat.slice(stat.lastIndexOf(')') + 2))) return;
    await sleep(50);
  }
  throw new Error(`process ${pid} did not stop at the fault point`);
}

const ROUNDS: Array<{ mode: string; layouts: [string[], string[]] }> = [
  {
    mode: 'exactly-once',
    layouts: [
      ['--shard', '0/2'],
      ['--shard', '0/3'],
    ],
  },
  {
    mode: 'at-least-once',
    layouts: [
      ['--shard', '0/2'],
      ['--shard', '0/3'],
    ],
  },
  { mode: 'exactly-once', layouts: [[], ['--shard', '1/2']] },
  { mode: 'at-least-once', layouts: [['--shard', '1/3'], []] },
];

test('two shard layouts started at the same moment: one copies, the other refuses with one line (several rounds)', async (t) => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const clusters = ['--source', sourceBootstrap, '--destination', destinationBootstrap];
  for (const [round, { mode, layouts }] of ROUNDS.entries()) {
    const topic = uniqueName(`layout-race-${round}`);
    await createTopic(sourceBootstrap, topic, 6);
    await produce(sourceBootstrap, topic, new Map([...Array(6).keys()].map((p) => [p, Array.from({ length: 300 }, (_, i) => record(`k${i}`, `p${p}-${i}`))])));
    const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true, exact: true });
    const dir = await stateDir(`layout-race-${round}`);
    const planFile = join(dir, 'plan.json');
    await writePlanFile(planFile, p);
    const checkpointTopic = uniqueName(`layout-race-cp-${round}`);
    const copiers = layouts.map((layout, machine) =>
      pausedCopy([planFile, ...layout, ...clusters, '--mode', mode, '--checkpoint-topic', checkpointTopic, '--state-dir', join(dir, `machine-${machine}`)]),
    );
    await Promise.all(copiers.map((c) => c.paused));
    // The line comes just before the SIGSTOP lands: continue only stopped processes.
    for (const c of copiers) await stopped(c.child.pid!);
    for (const c of copiers) c.child.kill('SIGCONT');
    const runs = await Promise.all(copiers.map((c) => c.exited));
    const what = `round ${round} (${mode}, ${layouts.map((l) => l.join(' ') || 'whole').join(' vs ')}): exit codes ${runs.map((r) => r.code).join(', ')}\n${runs.map((r) => r.stderr).join('\n---\n')}`;
    const won = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code === 6);
    assert.equal(won.length, 1, `exactly one layout copies: ${what}`);
    assert.equal(refused.length, 1, what);
    const errorLines = refused[0]!.stderr.split('\n').filter((l) => l.startsWith('kreroute: CHECKPOINT_MISMATCH'));
    assert.equal(errorLines.length, 1, what);
    assert.match(errorLines[0]!, /already being copied as (\d shard\(s\)|one whole copy)/, what);
    t.diagnostic(`round ${round}: ${errorLines[0]}`);
  }
});

test('a layout claimed by a copier that stopped before its first checkpoint is the layout the job keeps: --workers follows it', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('layout-claimed');
  await createTopic(sourceBootstrap, topic, 6);
  await produce(sourceBootstrap, topic, new Map([...Array(6).keys()].map((p) => [p, Array.from({ length: 100 }, (_, i) => record(`k${i}`, `p${p}-${i}`))])));
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true, exact: true });
  const dir = await stateDir('layout-claimed');
  const planFile = join(dir, 'plan.json');
  await writePlanFile(planFile, p);
  const checkpointTopic = uniqueName('layout-claimed-cp');
  const destination = cluster(destinationBootstrap);
  try {
    // What `copy --shard 0/3` leaves when it is killed right after claiming the layout.
    const store = new DestinationCheckpointStore(destination, checkpointTopic);
    await store.ensureTopic();
    await claimLayout(shardPlan(p, { index: 0, count: 3 }), destination, store, await store.loadFamily(p.hash));
    assert.deepEqual((await readJobState(p, destination, { stateDir: join(dir, 'elsewhere'), checkpointTopic })).layout, { kind: 'sharded', count: 3 });

    const run = await runKreroute([
      'copy',
      planFile,
      '--workers',
      '2',
      '--source',
      sourceBootstrap,
      '--destination',
      destinationBootstrap,
      '--checkpoint-topic',
      checkpointTopic,
      '--state-dir',
      join(dir, 'state'),
    ]);
    assert.equal(run.code, 0, run.stderr);
    const state = await readJobState(p, destination, { stateDir: join(dir, 'elsewhere'), checkpointTopic });
    assert.deepEqual(state.layout, { kind: 'sharded', count: 3 });
    assert.ok(
      state.parts.every((part) => part.checkpoint?.complete),
      'all three shards copied',
    );
  } finally {
    await destination.close();
  }
});
