import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePlanFile } from '../../src/index.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { damageBatch, partitionDir } from '../support/source-damage.ts';

const EXIT_WITHIN_MS = 20_000;

test('a library copy that fails after writing some batches lets its process end: no socket or retry is left behind', async (t) => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('failure-exit');
  await createTopic(sourceBootstrap, topic, 1);
  // 150 KB batches are forwarded whole: the destination refuses the damaged second one after the first was written.
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 150 }, (_, i) => record(`k${i}`, `value ${i} `.padEnd(3_000, '.')))]]), 50);
  const dir = await partitionDir(topic, 0);
  if (!dir) {
    t.skip('the source broker is not a local test broker: its log files cannot be damaged from here');
    return;
  }
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const state = await stateDir('failure-exit');
  const planFile = join(state, 'plan.json');
  await writePlanFile(planFile, p);
  await damageBatch(dir, 1);

  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '../support/library-copy-child.ts'), planFile, sourceBootstrap, destinationBootstrap, state],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let failedAt = 0;
  const exited = await new Promise<boolean>((resolve) => {
    const deadline = setInterval(() => {
      if (output.includes('failed') && failedAt === 0) failedAt = Date.now();
      if (failedAt > 0 && Date.now() - failedAt > EXIT_WITHIN_MS) {
        clearInterval(deadline);
        child.kill('SIGKILL');
        resolve(false);
      }
    }, 100);
    child.on('exit', () => {
      clearInterval(deadline);
      resolve(true);
    });
    setTimeout(() => {
      if (failedAt === 0) child.kill('SIGKILL');
    }, 120_000).unref();
  });
  assert.match(output, /failed SOURCE_CORRUPT/);
  assert.ok(exited, `the process was still alive ${EXIT_WITHIN_MS / 1000} s after copyPlan failed`);
});
