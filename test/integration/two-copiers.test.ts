import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { writePlanFile } from '../../src/index.ts';
import { loadCheckpoint } from '../../src/checkpoint/copy-checkpoint.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

function copier(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'copy', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

async function setUp(name: string, count: number) {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName(name);
  await createTopic(sourceBootstrap, topic, 2);
  const rows = (p: number) => Array.from({ length: count }, (_, i) => record(`k${i}`, `p${p}-${i}`));
  await produce(
    sourceBootstrap,
    topic,
    new Map([
      [0, rows(0)],
      [1, rows(1)],
    ]),
    100,
  );
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir(name);
  const planFile = join(dir, 'plan.json');
  await writePlanFile(planFile, p);
  return {
    topic,
    p,
    dir,
    planFile,
    args: [planFile, '--source', sourceBootstrap, '--destination', destinationBootstrap, '--state-dir', join(dir, 'state')],
    destinationBootstrap,
  };
}

async function waitForProgress(state: string, hash: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const checkpoint = await loadCheckpoint(state, hash).catch(() => null);
    if (checkpoint && Object.values(checkpoint.sources).some((s) => s.copied > 0)) return;
    await sleep(50);
  }
  assert.fail('the first copier made no progress in 30 s');
}

async function assertExactlyOnce(bootstrap: string, topic: string, count: number): Promise<void> {
  for (const partition of [0, 1]) {
    const values = (await kcatDump(bootstrap, topic, partition, 0n, count * 2)).map((r) => r.payload);
    assert.deepEqual(
      values,
      Array.from({ length: count }, (_, i) => `p${partition}-${i}`),
      `partition ${partition}: each record once, in order`,
    );
  }
}

test('exactly-once: a second copier of the same plan fences the first; no record is written twice', async () => {
  const { topic, p, dir, args, destinationBootstrap } = await setUp('fence', 3000);
  const first = copier([...args, '--mode', 'exactly-once', '--max-rate', '250']);
  await waitForProgress(join(dir, 'state'), p.hash);
  const second = copier([...args, '--mode', 'exactly-once']);
  assert.equal(await second.exited, 0, second.stderr());
  assert.equal(await first.exited, 7, `the first copier was fenced: ${first.stderr()}`);
  assert.match(first.stderr(), /FENCED/);
  await assertExactlyOnce(destinationBootstrap, topic, 3000);
});

test('at-least-once: a second copier of the same state folder is refused while the first runs', async () => {
  const { topic, p, dir, args, destinationBootstrap } = await setUp('lock', 2000);
  const first = copier([...args, '--mode', 'at-least-once', '--max-rate', '200']);
  await waitForProgress(join(dir, 'state'), p.hash);
  const second = copier([...args, '--mode', 'at-least-once']);
  assert.equal(await second.exited, 7, second.stderr());
  assert.match(second.stderr(), /another copier \(pid \d+\) is running this plan/);
  assert.equal(await first.exited, 0, first.stderr());
  await assertExactlyOnce(destinationBootstrap, topic, 2000);
});
