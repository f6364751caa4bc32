// The library example of examples/ run as a user runs it (a child process importing 'kreroute'),
// against the test clusters: it must move exactly the tenant's records, say so, and resume.
import assert from 'node:assert/strict';
import { execFile as execFileCallback } from 'node:child_process';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ERROR_CODES } from '../../src/common/errors.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';

const execFile = promisify(execFileCallback);
const EXAMPLE = fileURLToPath(new URL('../../examples/move-a-tenant.ts', import.meta.url));
const TENANTS = ['acme', 'globex', 'initech'];
const PARTITIONS = 3;

function tenantRecords(partition: number): RecordContent[] {
  return Array.from({ length: 90 }, (_, i) => record(`${TENANTS[(i + partition) % TENANTS.length]}:order-${partition}-${i}`, `{"order":${i}}`));
}

/** `node --conditions=kreroute-source examples/move-a-tenant.ts …` in `cwd`, with the clusters in the environment only. */
async function runExample(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { source, destination } = getTestClusters();
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KREROUTE_'))),
    KREROUTE_SOURCE_BOOTSTRAP: source,
    KREROUTE_DEST_BOOTSTRAP: destination,
  };
  try {
    const { stdout, stderr } = await execFile(process.execPath, ['--conditions=kreroute-source', EXAMPLE, ...args], { cwd, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

test('examples/move-a-tenant.ts moves exactly the tenant’s records, reports each step, and resumes', { timeout: 240_000 }, async () => {
  const { source, destination } = getTestClusters();
  const topic = uniqueName('example-move-a-tenant');
  await createTopic(source, topic, PARTITIONS);
  const seeded = new Map(Array.from({ length: PARTITIONS }, (_, p) => [p, tenantRecords(p)]));
  await produce(source, topic, seeded);
  const acmeKeys = [...seeded.values()]
    .flat()
    .map((r) => r.key!.toString())
    .filter((key) => key.startsWith('acme:'))
    .sort();
  const cwd = await stateDir('example');

  const first = await runExample(cwd, ['--topic', topic, '--key-prefix', 'acme:', '--plan', 'acme.plan.json', '--create-topics']);
  assert.equal(first.code, 0, first.stderr);
  const lines = first.stdout.trim().split('\n');
  assert.equal(lines[0], `plan: ${acmeKeys.length} records to move, written to acme.plan.json`);
  assert.equal(lines[1], `copy: ${acmeKeys.length} records copied (exactly-once)`);
  for (let p = 0; p < PARTITIONS; p++) assert.ok(lines.includes(`verify: ${topic}/${p} passed (30 source, 30 copied)`), first.stdout);
  assert.equal(lines.at(-1), "verify: PASSED; to delete the tenant's records from the source: kreroute purge acme.plan.json --execute");

  const copiedKeys: string[] = [];
  for (let p = 0; p < PARTITIONS; p++) copiedKeys.push(...(await kcatDump(destination, topic, p, 0n, 1_000)).map((r) => r.key!));
  assert.deepEqual(copiedKeys.sort(), acmeKeys, 'the destination holds the tenant’s records, once each, and nothing else');

  const again = await runExample(cwd, ['--plan', 'acme.plan.json']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^plan: resuming acme\.plan\.json\ncopy: 0 records copied \(.*already complete\)\n/);
  assert.match(again.stdout, /\nverify: PASSED;/);
});

test('examples/move-a-tenant.ts stops with kreroute’s code, one line and its exit code when the topic does not exist', { timeout: 120_000 }, async () => {
  const cwd = await stateDir('example');
  const missing = uniqueName('example-no-such-topic');
  const run = await runExample(cwd, ['--topic', missing, '--key-prefix', 'acme:', '--plan', join(cwd, 'none.plan.json')]);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^move-a-tenant: UNKNOWN_TOPIC: .+\n$/m);
  assert.equal(run.code, ERROR_CODES.UNKNOWN_TOPIC.exit, run.stderr);
});
