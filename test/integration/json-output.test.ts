// Every line `--json` writes, for every command, checked against docs/json-output.schema.json;
// --progress-interval and --quiet on real runs.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { type CliRun, runKreroute } from '../support/cli-run.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { checkedJsonLines } from '../support/json-output.ts';

const { source, destination } = getTestClusters();
const dir = await mkdtemp(join(tmpdir(), 'kreroute-json-'));
test.after(() => rm(dir, { recursive: true, force: true }));

const BOUND = { timeout: 120_000 };
/** The seeded records' timestamps: fixed, so that a test can write a record again exactly as it is. */
const SEEDED_AT = BigInt(Date.now());

async function seededTopic(prefix: string, perPartition: number): Promise<string> {
  const topic = uniqueName(prefix);
  await createTopic(source, topic, 2);
  const rows = (p: number) => Array.from({ length: perPartition }, (_, i) => seededRecord(p, i));
  await produce(
    source,
    topic,
    new Map([
      [0, rows(0)],
      [1, rows(1)],
    ]),
  );
  return topic;
}

const seededRecord = (partition: number, i: number) =>
  record(`tenant-b:${partition}-${i}`, `{"n":${i}}`.padEnd(200, ' '), { timestamp: SEEDED_AT + BigInt(i) });

/** A --json run: its exit code, and its stdout lines, each checked against the schema. */
async function json(args: string[], exitCode = 0): Promise<Array<Record<string, unknown>>> {
  const run = await runKreroute(['--json', ...args], 100_000);
  assert.equal(run.code, exitCode, `kreroute ${args.join(' ')}: exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  return checkedJsonLines(run.stdout);
}

const ofType = (lines: Array<Record<string, unknown>>, type: string) => lines.filter((l) => l['type'] === type);

function quietLines(run: CliRun): string[] {
  return run.stdout.split('\n').filter((l) => l !== '');
}

test('plan → copy → status → verify → purge --dry-run → purge: every --json line fits the schema; a warning has its code', BOUND, async () => {
  const topic = await seededTopic('json-steps', 3_000);
  const planFile = join(dir, 'steps.plan.json');
  // A properties file with a key kreroute does not know: a warning, with its code.
  const sourceConfig = join(dir, 'source.properties');
  await writeFile(sourceConfig, 'client.id=json-output-test\nno.such.key=1\n');
  const cluster = ['--source', source, '--destination', destination];

  const planned = await json(['plan', ...cluster, '--source-config', sourceConfig, '--topic', topic, '--create-topics', '--exact', '--out', planFile]);
  assert.deepEqual(
    ofType(planned, 'warning').map((l) => l['code']),
    ['CONFIG_KEYS_IGNORED'],
  );
  assert.equal(planned.at(-1)?.['kind'], 'plan');

  // At 1,000 records a second, 6,000 records take about 6 s: progress every 2 s, not every second.
  const copied = await json(['copy', planFile, ...cluster, '--max-rate', '1000', '--progress-interval', '2s']);
  const progress = ofType(copied, 'progress').map((l) => ({ at: Date.parse(l['time'] as string), records: l['records'] as number }));
  assert.ok(progress.length >= 3, `progress lines: ${JSON.stringify(progress)}`);
  assert.equal(progress.at(-1)?.records, 6_000, 'the last progress line is always there, and says the copy is complete');
  // Every gap but the last one's (it comes with the result) is at least the interval, less the clock's grain.
  const gaps = progress.slice(1, -1).map((p, i) => p.at - progress[i]!.at);
  assert.ok(
    gaps.every((gap) => gap >= 1_900),
    `progress lines at least 2 s apart: ${gaps.join(', ')} ms`,
  );
  assert.equal(copied.at(-1)?.['kind'], 'copy');

  const status = await json(['status', planFile, '--destination', destination]);
  assert.equal(status.at(-1)?.['kind'], 'status');
  const verified = await json(['verify', planFile, ...cluster]);
  assert.equal((verified.at(-1)!['report'] as { passed: boolean }).passed, true);

  const dryRun = await json(['purge', planFile, ...cluster, '--dry-run']);
  assert.equal((dryRun.at(-1)!['report'] as { dryRun: boolean }).dryRun, true);
  const quietDryRun = await runKreroute(['purge', planFile, ...cluster, '--dry-run', '--quiet']);
  assert.equal(quietDryRun.code, 0, quietDryRun.stderr);
  assert.deepEqual(quietLines(quietDryRun), ['Purge (dry run): would delete 6,000 records from 2 source partitions. Nothing was deleted.']);
  assert.equal(quietDryRun.stderr, '');
  const withoutExecute = await json(['purge', planFile, ...cluster]);
  assert.equal((withoutExecute.at(-1)!['report'] as { dryRun: boolean }).dryRun, true, 'without --execute purge deletes nothing');
  const purged = await json(['purge', planFile, ...cluster, '--execute']);
  assert.equal((purged.at(-1)!['report'] as { dryRun: boolean }).dryRun, false);
});

test('reroute --purge and failing commands: every --json line fits the schema', BOUND, async () => {
  const topic = await seededTopic('json-reroute', 200);
  const planFile = join(dir, 'reroute.plan.json');
  const rerouted = await json(['reroute', '--source', source, '--destination', destination, '--topic', topic, '--create-topics', '--out', planFile, '--purge']);
  assert.deepEqual(
    ofType(rerouted, 'result').map((l) => `${l['stage']} ${l['status']}`),
    ['plan done', 'copy done', 'verify done', 'purge done'],
  );
  // Run again: every stage already finished.
  const again = await json(['reroute', '--source', source, '--destination', destination, '--topic', topic, '--create-topics', '--out', planFile, '--purge']);
  assert.deepEqual(
    ofType(again, 'result').map((l) => `${l['stage']} ${l['status']}`),
    ['plan reused', 'copy skipped', 'verify skipped', 'purge skipped'],
  );

  // A verify that fails: its report, then the VERIFY_FAILED error. Another producer wrote planned record 7 to the destination again.
  const twiceTopic = await seededTopic('json-twice', 20);
  const twicePlan = join(dir, 'twice.plan.json');
  const cluster = ['--source', source, '--destination', destination];
  await json(['plan', ...cluster, '--topic', twiceTopic, '--create-topics', '--out', twicePlan]);
  await json(['copy', twicePlan, ...cluster]);
  await produce(destination, twiceTopic, new Map([[0, [seededRecord(0, 7)]]]));
  const failed = await json(['verify', twicePlan, ...cluster], 8);
  assert.deepEqual(
    failed.filter((l) => l['type'] === 'result' || l['type'] === 'error').map((l) => l['kind'] ?? l['code']),
    ['verify', 'VERIFY_FAILED'],
  );
  const report = failed.find((l) => l['kind'] === 'verify')!['report'] as { passed: boolean; partitions: Array<{ duplicates?: { records: number } }> };
  assert.equal(report.passed, false);
  assert.equal(report.partitions[0]?.duplicates?.records, 1);

  const missing = await json(['copy', join(dir, 'no-such.plan.json'), '--source', source, '--destination', destination], 2);
  assert.deepEqual(
    missing.map((l) => l['type']),
    ['error'],
  );
  const usage = await json(['copy', planFile, '--no-such-flag'], 2);
  assert.equal(usage.at(-1)?.['code'], 'USAGE');
  const interval = await json(['copy', planFile, '--progress-interval', 'soon'], 2);
  assert.equal(interval.at(-1)?.['code'], 'BAD_INPUT');
});

test('--quiet: a plan prints one line, with the count of the warnings it did not show', BOUND, async () => {
  const topic = await seededTopic('json-quiet', 10);
  const sourceConfig = join(dir, 'quiet.properties');
  await writeFile(sourceConfig, 'no.such.key=1\n');
  const planFile = join(dir, 'quiet.plan.json');
  const run = await runKreroute([
    'plan',
    '--quiet',
    '--source',
    source,
    '--source-config',
    sourceConfig,
    '--destination',
    destination,
    '--topic',
    topic,
    '--create-topics',
    '--exact',
    '--out',
    planFile,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.deepEqual(quietLines(run), [
    `Plan written: ${planFile}, 1 topic, 2 partitions, 20 records (exact) (1 warning: run without --quiet or with --json to see them)`,
  ]);
});
