import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyPlan, writePlanFile } from '../../src/index.ts';
import { loadCheckpoint } from '../../src/checkpoint/copy-checkpoint.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const PARTITIONS = 4;
const PER_PARTITION = 5000;

function runCopy(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'copy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
  return { child, exited, stderr: () => stderr };
}

async function copiedSoFar(state: string, planHash: string): Promise<number> {
  const checkpoint = await loadCheckpoint(state, planHash).catch(() => null);
  return checkpoint ? Object.values(checkpoint.sources).reduce((n, s) => n + s.copied, 0) : -1;
}

const MODES = [
  ['at-least-once', /will not be written again/],
  ['exactly-once', /resuming from the last committed transaction/],
] as const;

for (const [mode, resumeNote] of MODES)
  test(`${mode}: kill -9 during a copy, three times; running the same command again finishes with no loss and no duplicate`, async () => {
    const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
    const topic = uniqueName(`crash-${mode}`);
    await createTopic(sourceBootstrap, topic, PARTITIONS);
    const seeded = new Map(
      [...Array(PARTITIONS).keys()].map((p) => [p, Array.from({ length: PER_PARTITION }, (_, i) => record(`k${i % 97}`, `p${p}-seq-${i}`.padEnd(200, '.')))]),
    );
    await produce(sourceBootstrap, topic, seeded, 100);
    const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
    const dir = await stateDir(`crash-${mode}`);
    const planFile = join(dir, 'plan.json');
    await writePlanFile(planFile, p);
    const common = [planFile, '--mode', mode, '--source', sourceBootstrap, '--destination', destinationBootstrap, '--state-dir', join(dir, 'state')];

    let lastProgress = 0;
    const reconciled: string[] = [];
    for (let kill = 1; kill <= 3; kill++) {
      const run = runCopy([...common, '--max-rate', '2000']);
      // Kill at a different point each time, once this run has checkpointed progress of its own.
      const deadline = Date.now() + 30_000;
      while ((await copiedSoFar(join(dir, 'state'), p.hash)) <= lastProgress + 500) {
        assert.ok(Date.now() < deadline, `run ${kill} made no progress in 30 s: ${run.stderr()}`);
        await sleep(50);
      }
      await sleep(Math.floor(Math.random() * 400));
      run.child.kill('SIGKILL');
      assert.equal(await run.exited, -1, `run ${kill} was killed, not finished: ${run.stderr()}`);
      reconciled.push(run.stderr());
      const checkpoint = await loadCheckpoint(join(dir, 'state'), p.hash);
      assert.ok(checkpoint, 'a checkpoint exists after the kill');
      const progress = Object.values(checkpoint.sources).reduce((n, s) => n + s.copied, 0);
      assert.ok(progress >= lastProgress, 'progress never moves backwards');
      assert.ok(!checkpoint.complete);
      lastProgress = progress;
    }
    const final = runCopy(common);
    assert.equal(await final.exited, 0, final.stderr());
    reconciled.push(final.stderr());
    assert.ok(
      reconciled.some((text) => resumeNote.test(text)),
      `a resume said how it dealt with the interrupted run (${resumeNote})`,
    );

    const report = await verifyPlan(p, { source, destination, stateDir: join(dir, 'state') });
    assert.equal(
      report.passed,
      true,
      JSON.stringify(
        report.partitions.filter((x) => !x.passed).map((x) => ({ ...x, missing: x.missing.length, extra: x.extra.length })),
        null,
        1,
      ),
    );
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const values = (await kcatDump(destinationBootstrap, topic, partition, 0n, PER_PARTITION * 2)).map((r) => r.payload!.replace(/\.+$/, ''));
      assert.equal(values.length, PER_PARTITION, `partition ${partition}: no record lost or duplicated`);
      assert.deepEqual(
        values,
        Array.from({ length: PER_PARTITION }, (_, i) => `p${partition}-seq-${i}`),
        `partition ${partition} keeps order`,
      );
    }
  });
