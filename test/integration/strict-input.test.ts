// Input that must not look like success: a date that does not exist, a tenant filter that matches
// nothing (a typo in the tenant's name), and a plan total that disagrees with its partitions.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { ERROR_CODES, type ErrorCode } from '../../src/common/errors.ts';
import type { EngineEvent } from '../../src/common/events.ts';
import { type CliRun, runKreroute } from '../support/cli-run.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';

const { source, destination } = getTestClusters();
const dir = await mkdtemp(join(tmpdir(), 'kreroute-strict-'));
test.after(() => rm(dir, { recursive: true, force: true }));

const TENANTS = ['acme', 'globex', 'initech'];
const PARTITIONS = 3;
const PER_PARTITION = 600;

/** Three tenants in turn on every partition: each holds a third of the records. */
async function tenantsTopic(prefix: string): Promise<string> {
  const topic = uniqueName(prefix);
  await createTopic(source, topic, PARTITIONS);
  const records = (p: number) => Array.from({ length: PER_PARTITION }, (_, i) => record(`${TENANTS[i % 3]}:${p}-${i}`, `{"n":${i}}`));
  await produce(source, topic, new Map([...Array(PARTITIONS).keys()].map((p) => [p, records(p)])));
  return topic;
}

/** The one error line (`kreroute: CODE: …`), last on stderr, and the code's exit code. */
function assertFails(run: CliRun, code: ErrorCode, pattern: RegExp): void {
  assert.equal(run.code, ERROR_CODES[code].exit, `exit code; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  const errorLines = lines.filter((l) => l.startsWith('kreroute: '));
  assert.equal(errorLines.length, 1, `one error line, got:\n${run.stderr}`);
  assert.equal(lines.at(-1), errorLines[0], 'the error line comes last');
  assert.ok(errorLines[0]!.startsWith(`kreroute: ${code}: `), errorLines[0]!);
  assert.match(errorLines[0]!, pattern);
}

const clusters = ['--source', source, '--destination', destination];

/** Records on the destination topic (read committed, as consumers see them; transaction markers take offsets too). */
async function destinationRecords(topic: string): Promise<number> {
  let records = 0;
  for (let p = 0; p < PARTITIONS; p++) records += (await kcatDump(destination, topic, p, 0n, 10_000)).length;
  return records;
}

/** The `≤ N` of every partition row, and the total's bound, of a plan summary without --exact. */
function bounds(stdout: string): { partitions: number[]; total: number } {
  const number = (text: string) => Number(text.replaceAll(',', ''));
  const partitions = [...stdout.matchAll(/≤ ([\d,]+)/g)].map((m) => number(m[1]!));
  const total = /Total: at most ([\d,]+) records/.exec(stdout);
  assert.ok(total, `a total bound in:\n${stdout}`);
  return { partitions, total: number(total[1]!) };
}

test('a date or time that does not exist is refused with one line and the usage exit code', async () => {
  for (const [flag, point] of [
    ['--from', 'time:2026-02-30'],
    ['--to', 'time:2025-02-29T10:00:00Z'],
    ['--from', 'time:2026-11-01T24:61Z'],
  ]) {
    const run = await runKreroute(['plan', ...clusters, '--topic', 'orders', flag!, point!, '--out', join(dir, 'date.plan.json')]);
    assertFails(run, 'BAD_INPUT', new RegExp(`${flag}: ${point}.* is not a real date or time`));
    assert.equal(run.stdout, '');
  }
});

test('plan --exact with a filter that matches nothing: EMPTY_RANGE naming the filter, no plan file', async () => {
  const topic = await tenantsTopic('strict-exact');
  const planFile = join(dir, 'exact.plan.json');
  const run = await runKreroute(['plan', ...clusters, '--topic', topic, '--key-prefix', 'nobody:', '--create-topics', '--exact', '--out', planFile]);
  assertFails(
    run,
    'EMPTY_RANGE',
    new RegExp(`--key-prefix nobody: matches no record in the planned range of ${topic}\\[0\\.\\.2\\] \\(1,800 records read\\).*check the tenant's key prefix`),
  );
  assert.equal(existsSync(planFile), false, 'no plan file');
  const c = cluster(destination);
  try {
    assert.equal((await c.listTopics()).includes(topic), false, 'no destination topic created');
  } finally {
    await c.close();
  }
});

test('plan without --exact: a sample that matched nothing is a warning naming the filter; the total bound is the sum of the partitions', async () => {
  const topic = await tenantsTopic('strict-sample');
  const run = await runKreroute(['plan', ...clusters, '--topic', topic, '--key-prefix', 'nobody:', '--create-topics', '--out', join(dir, 'sample.plan.json')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(`warning \\[FILTER_MATCHED_NOTHING\\]: --key-prefix nobody: matched none of the 1,800 records sampled at the start of ${topic}\\[0\\.\\.2\\]`),
  );
  const { partitions, total } = bounds(run.stdout);
  assert.deepEqual(partitions, [PER_PARTITION, PER_PARTITION, PER_PARTITION]);
  assert.equal(total, PARTITIONS * PER_PARTITION, run.stdout);
  assert.match(run.stdout, /about 0 of them matching the filter by a sample/);
});

test('plan without --exact, a filter that matches a third: the bound is the sum of the partitions, the estimate a third of it', async () => {
  const topic = await tenantsTopic('strict-third');
  const run = await runKreroute(['plan', ...clusters, '--topic', topic, '--key-prefix', 'acme:', '--create-topics', '--out', join(dir, 'third.plan.json')]);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /warning/);
  const { partitions, total } = bounds(run.stdout);
  assert.equal(
    total,
    partitions.reduce((a, b) => a + b, 0),
  );
  assert.equal(total, PARTITIONS * PER_PARTITION);
  assert.match(run.stdout, /about 600 of them matching the filter by a sample/);
});

test('reroute with a filter that matches nothing: EMPTY_RANGE, nothing written, never PASSED; copy and verify of its plan say the same', async () => {
  const topic = await tenantsTopic('strict-reroute');
  const planFile = join(dir, 'reroute.plan.json');
  const run = await runKreroute(['reroute', ...clusters, '--topic', topic, '--key-prefix', 'nobody:', '--create-topics', '--out', planFile]);
  const refused = new RegExp(`--key-prefix nobody: matches no record in the planned range of ${topic}\\[0\\.\\.2\\] \\(1,800 records read\\)`);
  assertFails(run, 'EMPTY_RANGE', refused);
  assert.doesNotMatch(run.stdout + run.stderr, /PASSED/);
  assert.equal(await destinationRecords(topic), 0, 'no record written to the destination');
  // The plan was written (it is an estimate); the copy it finished and a verify of it refuse the same way.
  assertFails(await runKreroute(['copy', planFile]), 'EMPTY_RANGE', refused);
  const verified = await runKreroute(['verify', planFile]);
  assertFails(verified, 'EMPTY_RANGE', /nothing to verify or purge/);
  assert.doesNotMatch(verified.stdout, /PASSED/);
  assertFails(await runKreroute(['purge', planFile]), 'NOT_VERIFIED', /./);
  // The typo fixed: the empty copy left no commit marker behind that the overlap check would take
  // for a newer record on the destination.
  const fixed = await runKreroute(['plan', ...clusters, '--topic', topic, '--key-prefix', 'acme:', '--exact', '--out', join(dir, 'fixed.plan.json')]);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.doesNotMatch(fixed.stdout + fixed.stderr, /OVERLAP/);
});

test('reroute --workers with a filter that matches nothing: the shards copy nothing, verify of the whole plan says EMPTY_RANGE', async () => {
  const topic = await tenantsTopic('strict-workers');
  const run = await runKreroute([
    'reroute',
    ...clusters,
    '--topic',
    topic,
    '--key-prefix',
    'nobody:',
    '--create-topics',
    '--workers',
    '2',
    '--out',
    join(dir, 'workers.plan.json'),
  ]);
  assertFails(run, 'EMPTY_RANGE', /--key-prefix nobody: matches no record in the planned range of .*nothing to verify or purge/);
  assert.doesNotMatch(run.stdout + run.stderr, /PASSED/);
  assert.equal(await destinationRecords(topic), 0, 'no record written to the destination');
});

test('reroute with a filter that matches a third still moves it and passes', async () => {
  const topic = await tenantsTopic('strict-valid');
  const run = await runKreroute(['reroute', ...clusters, '--topic', topic, '--key-prefix', 'acme:', '--create-topics', '--out', join(dir, 'valid.plan.json')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /PASSED/);
  assert.equal(await destinationRecords(topic), (PARTITIONS * PER_PARTITION) / 3);
});

test('a tenant whose records lie past the sample: plan warns, copy and verify still move them', async () => {
  const topic = uniqueName('strict-late-tenant');
  await createTopic(source, topic, 1);
  const filler = Array.from({ length: 400 }, (_, i) => record(`other:${i}`, Buffer.alloc(1024, 'x')));
  const late = Array.from({ length: 10 }, (_, i) => record(`late:${i}`, `{"n":${i}}`));
  // Small batches: the sample reads the first 256 KiB, or the first batch when it is larger.
  await produce(source, topic, new Map([[0, [...filler, ...late]]]), 10);
  const events: EngineEvent[] = [];
  const p = await plan({
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    filter: { kind: 'key-prefix', prefix: 'late:' },
    createTopics: true,
    onEvent: (e) => events.push(e),
  });
  assert.ok(
    events.some((e) => e.type === 'warning' && /--key-prefix late: matched none of the [\d,]+ records sampled/.test(e.message)),
    JSON.stringify(events),
  );
  const { copied, report } = await copyAndVerify(p, await stateDir('late-tenant'));
  assert.equal(copied.records, 10);
  assert.equal(report.passed, true);
});
