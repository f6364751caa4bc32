// The CLI as a child process against the test clusters, for input it must refuse.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { type CliRun, runKreroute } from '../support/cli-run.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';

const { source, destination } = getTestClusters();
const dir = await mkdtemp(join(tmpdir(), 'kreroute-cli-'));
test.after(() => rm(dir, { recursive: true, force: true }));

/** The last stderr line is the one error line: `kreroute: CODE: …`, and it is the only one starting so. */
function assertFails(run: CliRun, exitCode: number, code: string, pattern?: RegExp): string {
  assert.equal(run.code, exitCode, `exit code; stderr:\n${run.stderr}`);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  const errorLines = lines.filter((l) => l.startsWith('kreroute: '));
  assert.equal(errorLines.length, 1, `one error line, got:\n${run.stderr}`);
  const line = errorLines[0] as string;
  assert.equal(lines.at(-1), line, 'the error line comes last');
  assert.ok(line.startsWith(`kreroute: ${code}: `), line);
  if (pattern) assert.match(line, pattern);
  return line;
}

async function tenantTopic(prefix: string): Promise<string> {
  const topic = uniqueName(prefix);
  await createTopic(source, topic, 2);
  const records = (p: number) =>
    Array.from({ length: 20 }, (_, i) =>
      record(`${i % 2 ? 'tenant-a' : 'tenant-b'}:${p}-${i}`, `{"n":${i}}`, { headers: [['tenant', i % 2 ? 'tenant-a' : 'tenant-b']] }),
    );
  await produce(
    source,
    topic,
    new Map([
      [0, records(0)],
      [1, records(1)],
    ]),
  );
  return topic;
}

async function planFor(topic: string, name: string, extra: string[] = []): Promise<string> {
  const planFile = join(dir, `${name}.plan.json`);
  const run = await runKreroute([
    'plan',
    '--source',
    source,
    '--destination',
    destination,
    '--topic',
    topic,
    '--header',
    'tenant=tenant-b',
    '--create-topics',
    '--exact',
    '--out',
    planFile,
    ...extra,
  ]);
  assert.equal(run.code, 0, run.stderr);
  return planFile;
}

test('an unreachable broker: non-zero exit with one line, within 30 s', async () => {
  const run = await runKreroute(['plan', '--source', '127.0.0.1:1', '--destination', destination, '--topic', 'orders', '--out', join(dir, 'unreachable.json')]);
  assertFails(run, 10, 'UNREACHABLE', /127\.0\.0\.1:1/);
  assert.ok(run.ms < 30_000, `took ${run.ms} ms`);
  assert.equal(run.stdout, '');
});

test('copy from a source whose port is closed, with a short --wait-timeout: UNREACHABLE, exit 10 (run again may help)', async () => {
  const topic = await tenantTopic('closed-port');
  const planFile = await planFor(topic, 'closed-port');
  const closed = await closedPort();
  const run = await runKreroute(['copy', planFile, '--source', `127.0.0.1:${closed}`, '--wait-timeout', '5s', '--state-dir', join(dir, 'closed-port.state')]);
  assertFails(run, 10, 'UNREACHABLE', new RegExp(`127\\.0\\.0\\.1:${closed}`));
  assert.ok(run.ms < 30_000, `took ${run.ms} ms`);
});

/** A port on 127.0.0.1 nothing listens on: taken from the system, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('an unknown topic is named, exit 4', async () => {
  const missing = uniqueName('no-such-topic');
  const run = await runKreroute(['plan', '--source', source, '--destination', destination, '--topic', missing, '--out', join(dir, 'unknown.json')]);
  assertFails(run, 4, 'UNKNOWN_TOPIC', new RegExp(missing));
});

test('a plan file edited by hand is refused by copy, verify and purge (exit 5)', async () => {
  const planFile = await planFor(await tenantTopic('cli-edited'), 'edited');
  const plan = JSON.parse(await readFile(planFile, 'utf8'));
  plan.topics[0].partitions[0].end = String(Number(plan.topics[0].partitions[0].end) + 1000);
  await writeFile(planFile, JSON.stringify(plan, null, 2));
  for (const command of ['copy', 'verify', 'purge']) {
    assertFails(await runKreroute([command, planFile]), 5, 'PLAN_INVALID', /was changed after it was made/);
  }
});

test('purge without verification is refused (exit 9), also after a copy', async () => {
  const planFile = await planFor(await tenantTopic('cli-unverified'), 'unverified');
  assertFails(await runKreroute(['purge', planFile]), 9, 'NOT_VERIFIED', /no verification/);
  assert.equal((await runKreroute(['copy', planFile])).code, 0);
  assertFails(await runKreroute(['purge', planFile, '--dry-run']), 9, 'NOT_VERIFIED');
});

test('a plan used against the wrong cluster is refused (exit 5)', async () => {
  const planFile = await planFor(await tenantTopic('cli-wrong-cluster'), 'wrong-cluster');
  assertFails(await runKreroute(['copy', planFile, '--destination', source]), 5, 'PLAN_MISMATCH', /the plan was made for cluster/);
});

test('a shared range: verify passes, purge is refused as unsafe (exit 9)', async () => {
  const planFile = await planFor(await tenantTopic('cli-shared'), 'shared');
  assert.equal((await runKreroute(['copy', planFile])).code, 0);
  const verified = await runKreroute(['verify', planFile]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.match(verified.stdout, /Verification PASSED/);
  assertFails(await runKreroute(['purge', planFile]), 9, 'PURGE_UNSAFE', /other tenants/);
});

test('--json: only JSON lines on stdout, the result included', async () => {
  const topic = await tenantTopic('cli-json');
  const run = await runKreroute([
    '--json',
    'plan',
    '--source',
    source,
    '--destination',
    destination,
    '--topic',
    topic,
    '--key-prefix',
    'tenant-b:',
    '--create-topics',
    '--out',
    join(dir, 'json.plan.json'),
  ]);
  assert.equal(run.code, 0, run.stderr);
  const events = run.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { type: string; kind?: string });
  assert.ok(events.length > 0);
  assert.deepEqual(events.at(-1)?.type, 'result');
  assert.equal(events.at(-1)?.kind, 'plan');
  assert.equal(run.stderr, '');
});
