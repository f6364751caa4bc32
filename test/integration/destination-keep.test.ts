// Issue 19, item 1: the destination must be able to keep the copy. plan, copy, verify and purge
// refuse when the destination topic's configs would delete or refuse the planned records.
// Records copied on purpose are 6.5 days old under a 7-day retention: inside the one-day margin,
// so refused, yet not deleted by the test brokers' retention check (every 5 s) while a test runs.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { KrerouteError } from '../../src/common/errors.ts';
import { copyPlan, createPlan, purgePlan, verifyPlan } from '../../src/index.ts';
import { type CliRun, runKreroute } from '../support/cli-run.ts';
import { uniqueName } from '../support/clusters.ts';
import { sides } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { kcatRead } from '../support/kcat-count.ts';

const DAY = 24 * 60 * 60 * 1000;
const dir = await mkdtemp(join(tmpdir(), 'kreroute-keep-'));
test.after(() => rm(dir, { recursive: true, force: true }));

/** The last stderr line is the one error line: `kreroute: CODE: …`, and it is the only one starting so. */
function assertFails(run: CliRun, exitCode: number, code: string, pattern?: RegExp): string {
  assert.equal(run.code, exitCode, `exit code; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  const errorLines = run.stderr.split('\n').filter((l) => l.startsWith('kreroute: '));
  assert.equal(errorLines.length, 1, `one error line, got:\n${run.stderr}`);
  const line = errorLines[0]!;
  assert.ok(line.startsWith(`kreroute: ${code}: `), line);
  if (pattern) assert.match(line, pattern);
  assert.ok(line.length < 1000, `a short line, got ${line.length} characters`);
  return line;
}

/** A source topic kept forever holding `perPartition` records per partition stamped `at`. */
async function sourceTopic(
  prefix: string,
  perPartition: number,
  at: number,
  options: { partitions?: number; key?: (p: number, i: number) => string | null; valueBytes?: number; configs?: Record<string, string> } = {},
): Promise<string> {
  const { sourceBootstrap } = sides();
  const partitions = options.partitions ?? 2;
  const topic = uniqueName(prefix);
  await createTopic(sourceBootstrap, topic, partitions, { 'retention.ms': '-1', 'message.timestamp.after.max.ms': String(7 * DAY), ...options.configs });
  const value = 'v'.repeat(options.valueBytes ?? 20);
  const records = (p: number) =>
    Array.from({ length: perPartition }, (_, i) => record(options.key ? options.key(p, i) : `k${p}-${i}`, value, { timestamp: BigInt(at + i) }));
  await produce(sourceBootstrap, topic, new Map([...Array(partitions).keys()].map((p) => [p, records(p)])));
  return topic;
}

async function offsets(bootstrap: string, topic: string, partitions: number, kind: 'earliest' | 'latest'): Promise<bigint[]> {
  const c = cluster(bootstrap);
  try {
    return (await c.listOffsets(topic, [...Array(partitions).keys()], { kind })).map((l) => l.offset);
  } finally {
    await c.close();
  }
}

async function alterTopic(bootstrap: string, topic: string, configs: Record<string, string>): Promise<void> {
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'kreroute-test', bootstrapBrokers: [bootstrap] });
  try {
    await admin.incrementalAlterConfigs({
      resources: [{ resourceType: 2, resourceName: topic, configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: 0, value })) }],
    });
  } finally {
    await admin.close();
  }
  // The broker applies a topic config change asynchronously; wait (bounded) until it is read back.
  const c = cluster(bootstrap);
  try {
    for (let i = 0; i < 50; i++) {
      const all = (await c.topicConfigs(topic)).all;
      if (Object.entries(configs).every(([name, value]) => all.get(name) === value)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${topic}: configs ${JSON.stringify(configs)} not applied after 5 s`);
  } finally {
    await c.close();
  }
}

/** Every record of the source is still there: log start 0, and kcat reads them all. */
async function assertSourceIntact(topic: string, partitions: number, perPartition: number): Promise<void> {
  const { sourceBootstrap } = sides();
  assert.deepEqual(await offsets(sourceBootstrap, topic, partitions, 'earliest'), Array(partitions).fill(0n), 'the source log start did not move');
  for (let p = 0; p < partitions; p++)
    assert.equal((await kcatRead(sourceBootstrap, topic, p, ['-o', 'beginning'])).length, perPartition, `kcat reads every record of ${topic}[${p}]`);
}

test('records 10 days old, destination retention.ms=7 days: reroute --exact --purge refuses and the source keeps every record', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = await sourceTopic('keep-old', 2500, Date.now() - 10 * DAY);
  await createTopic(destinationBootstrap, topic, 2, { 'retention.ms': '604800000' });
  const planFile = join(dir, 'old.plan.json');
  const run = await runKreroute([
    'reroute',
    '--source',
    sourceBootstrap,
    '--destination',
    destinationBootstrap,
    '--topic',
    topic,
    '--exact',
    '--purge',
    '--out',
    planFile,
  ]);
  const line = assertFails(
    run,
    4,
    'DESTINATION_LOSS',
    new RegExp(
      `destination ${topic}: retention\\.ms=604800000 .*would delete (up to )?5000 planned record\\(s\\).*--add-config retention\\.ms=\\d+.*--accept-destination-loss`,
    ),
  );
  assert.match(line, /the oldest planned record is 10\.0 days old/);
  await assertSourceIntact(topic, 2, 2500);
  assert.deepEqual(await offsets(destinationBootstrap, topic, 2, 'latest'), [0n, 0n], 'nothing was copied');
});

test('retention.bytes smaller than what is planned into a partition: plan refuses', async () => {
  const { destinationBootstrap, source, destination } = sides();
  const topic = await sourceTopic('keep-bytes', 1000, Date.now() - 60_000, { valueBytes: 500 });
  await createTopic(destinationBootstrap, topic, 2, { 'retention.bytes': '100000' });
  await assert.rejects(
    createPlan({ source, destination, topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true }),
    (error: unknown) => {
      assert.ok(error instanceof KrerouteError, String(error));
      assert.equal(error.code, 'DESTINATION_LOSS');
      assert.match(
        error.message,
        new RegExp(`destination ${topic}: retention\\.bytes=100000 keeps 100000 byte\\(s\\) per partition, \\d+ byte\\(s\\) are planned into partition \\d`),
      );
      return true;
    },
  );
});

test('a compacted destination and records without keys: plan refuses', async () => {
  const { destinationBootstrap, source, destination } = sides();
  const topic = await sourceTopic('keep-keyless', 50, Date.now() - 60_000, { key: (_, i) => (i % 10 === 0 ? null : `k${i}`) });
  await createTopic(destinationBootstrap, topic, 2, { 'cleanup.policy': 'compact' });
  await assert.rejects(
    createPlan({ source, destination, topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true }),
    (error: unknown) => {
      assert.ok(error instanceof KrerouteError, String(error));
      assert.equal(error.code, 'DESTINATION_CHECK');
      assert.match(
        error.message,
        new RegExp(
          `destination ${topic}: cleanup\\.policy=compact is compacted and refuses records without a key: the destination would refuse 10 planned record\\(s\\)`,
        ),
      );
      return true;
    },
  );
});

test('2,000 records from 2 days ahead into message.timestamp.after.max.ms=1 hour: plan refuses; lowered after the plan, copy refuses before writing', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = await sourceTopic('keep-future', 1000, Date.now() + 2 * DAY);
  await createTopic(destinationBootstrap, topic, 2);
  const clusters = ['--source', sourceBootstrap, '--destination', destinationBootstrap];
  const refused = await runKreroute(['plan', ...clusters, '--topic', topic, '--out', join(dir, 'future.plan.json')]);
  assertFails(
    refused,
    4,
    'DESTINATION_CHECK',
    new RegExp(
      `destination ${topic}: message\\.timestamp\\.after\\.max\\.ms=3600000 accepts records up to 60 min ahead, the newest planned record is 2\\.0 days ahead.*--add-config message\\.timestamp\\.after\\.max\\.ms=\\d+`,
    ),
  );

  await alterTopic(destinationBootstrap, topic, { 'message.timestamp.after.max.ms': String(3 * DAY) });
  const planFile = join(dir, 'future-ok.plan.json');
  const planned = await runKreroute(['plan', ...clusters, '--topic', topic, '--out', planFile]);
  assert.equal(planned.code, 0, planned.stderr);
  await alterTopic(destinationBootstrap, topic, { 'message.timestamp.after.max.ms': '3600000' });
  for (const mode of ['exactly-once', 'at-least-once']) {
    const copy = await runKreroute(['copy', planFile, ...clusters, '--mode', mode, '--state-dir', join(dir, `future-${mode}.state`)]);
    assertFails(copy, 4, 'DESTINATION_CHECK', /copy refused, nothing written: .*message\.timestamp\.after\.max\.ms=3600000/);
  }
  assert.deepEqual(await offsets(destinationBootstrap, topic, 2, 'latest'), [0n, 0n], 'nothing was written');
});

test('retention lowered after the plan: copy refuses before writing; --accept-destination-loss copies', async () => {
  const { destinationBootstrap, source, destination } = sides();
  const topic = await sourceTopic('keep-lowered-copy', 100, Date.now() - 6.5 * DAY);
  await createTopic(destinationBootstrap, topic, 2, { 'retention.ms': '-1' });
  const plan = await createPlan({ source, destination, topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true });
  await alterTopic(destinationBootstrap, topic, { 'retention.ms': '604800000' });
  const stateDir = join(dir, 'lowered-copy.state');
  await assert.rejects(copyPlan(plan, { source, destination, stateDir }), (error: unknown) => {
    assert.ok(error instanceof KrerouteError, String(error));
    assert.equal(error.code, 'DESTINATION_LOSS');
    assert.match(error.message, new RegExp(`^copy refused, nothing written: destination ${topic}: retention\\.ms=604800000 .*would delete 200 planned record`));
    return true;
  });
  assert.deepEqual(await offsets(destinationBootstrap, topic, 2, 'latest'), [0n, 0n], 'nothing was written');
  const warnings: string[] = [];
  const copied = await copyPlan(plan, {
    source,
    destination,
    stateDir,
    acceptDestinationLoss: true,
    onEvent: (e) => e.type === 'warning' && warnings.push(e.message),
  });
  assert.equal(copied.records, 200);
  assert.ok(
    warnings.some((w) => /^accepted \(--accept-destination-loss\): destination .*retention\.ms/.test(w)),
    warnings.join('\n'),
  );
  // Verify refuses too, unless the loss is accepted; purge always refuses.
  await assert.rejects(
    verifyPlan(plan, { source, destination, stateDir }),
    (error: unknown) => error instanceof KrerouteError && error.code === 'DESTINATION_LOSS' && /^verify refused: /.test(error.message),
  );
  const report = await verifyPlan(plan, { source, destination, stateDir, acceptDestinationLoss: true });
  assert.equal(report.passed, true);
  await assert.rejects(
    purgePlan(plan, { source, destination, stateDir }),
    (error: unknown) =>
      error instanceof KrerouteError &&
      error.code === 'PURGE_UNSAFE' &&
      /purge refused, nothing deleted: destination .*retention\.ms=604800000/.test(error.message),
  );
  await assertSourceIntact(topic, 2, 100);
});

test('retention lowered after verify: purge refuses, the source keeps every record', async () => {
  const { destinationBootstrap, source, destination } = sides();
  const topic = await sourceTopic('keep-lowered-purge', 100, Date.now() - 6.5 * DAY);
  await createTopic(destinationBootstrap, topic, 2, { 'retention.ms': '-1' });
  const plan = await createPlan({ source, destination, topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true });
  const stateDir = join(dir, 'lowered-purge.state');
  await copyPlan(plan, { source, destination, stateDir });
  assert.equal((await verifyPlan(plan, { source, destination, stateDir })).passed, true);
  await alterTopic(destinationBootstrap, topic, { 'retention.ms': '604800000' });
  for (const dryRun of [true, false]) {
    await assert.rejects(purgePlan(plan, { source, destination, stateDir, dryRun }), (error: unknown) => {
      assert.ok(error instanceof KrerouteError, String(error));
      assert.equal(error.code, 'PURGE_UNSAFE');
      assert.match(
        error.message,
        new RegExp(`^purge refused, nothing deleted: destination ${topic}: retention\\.ms=604800000 .*would delete 200 planned record`),
      );
      return true;
    });
  }
  await assertSourceIntact(topic, 2, 100);
});

test('purge refuses when a destination log start moved past a copied record', async () => {
  const { destinationBootstrap, source, destination } = sides();
  const topic = await sourceTopic('keep-logstart', 50, Date.now() - 60_000);
  await createTopic(destinationBootstrap, topic, 2);
  const plan = await createPlan({ source, destination, topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true });
  const stateDir = join(dir, 'logstart.state');
  await copyPlan(plan, { source, destination, stateDir });
  assert.equal((await verifyPlan(plan, { source, destination, stateDir })).passed, true);
  const d = cluster(destinationBootstrap);
  try {
    await d.deleteRecordsBefore(topic, new Map([[1, 10n]]));
  } finally {
    await d.close();
  }
  await assert.rejects(purgePlan(plan, { source, destination, stateDir }), (error: unknown) => {
    assert.ok(error instanceof KrerouteError, String(error));
    assert.equal(error.code, 'NOT_VERIFIED');
    assert.match(
      error.message,
      new RegExp(
        `^purge refused: destination ${topic}\\[1\\] now starts at offset 10, past the copied records from offset 0 \\(offsets 0\\.\\.9 deleted there by retention or DeleteRecords since verify\\)`,
      ),
    );
    return true;
  });
  await assertSourceIntact(topic, 2, 50);
});

test('an INVALID_TIMESTAMP from the destination is one short line, not one error per record', async () => {
  const { destinationBootstrap } = sides();
  const topic = uniqueName('keep-invalid-ts');
  await createTopic(destinationBootstrap, topic, 1);
  const future = Array.from({ length: 1000 }, (_, i) => record(`k${i}`, 'v', { timestamp: BigInt(Date.now() + 2 * DAY + i) }));
  await assert.rejects(produce(destinationBootstrap, topic, new Map([[0, future]]), 1000), (error: unknown) => {
    assert.ok(error instanceof KrerouteError, String(error));
    assert.equal(error.code, 'DESTINATION_CHECK', error.message.slice(0, 300));
    assert.match(
      error.oneLine(),
      /^the destination refused records for their timestamps \(INVALID_TIMESTAMP\) while writing to .*message\.timestamp\.after\.max\.ms window — raise those settings/,
    );
    assert.ok(error.oneLine().length < 500, `${error.oneLine().length} characters`);
    return true;
  });
});

test('reroute --accept-destination-loss --purge: plan, copy and verify go on with a warning, purge still refuses and the source keeps every record', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = await sourceTopic('keep-accepted', 100, Date.now() - 6.5 * DAY);
  await createTopic(destinationBootstrap, topic, 2, { 'retention.ms': '604800000' });
  const planFile = join(dir, 'accepted.plan.json');
  const run = await runKreroute([
    'reroute',
    '--source',
    sourceBootstrap,
    '--destination',
    destinationBootstrap,
    '--topic',
    topic,
    '--exact',
    '--accept-destination-loss',
    '--purge',
    '--out',
    planFile,
  ]);
  assertFails(run, 9, 'PURGE_UNSAFE', new RegExp(`purge refused, nothing deleted: destination ${topic}: retention\\.ms=604800000`));
  assert.match(run.stdout, /Verification PASSED/);
  assert.match(run.stdout, /accepted: --accept-destination-loss; purge will refuse/);
  await assertSourceIntact(topic, 2, 100);
});

test('records without a key refused by a compacted destination (INVALID_RECORD) are one short line', async () => {
  const { destinationBootstrap } = sides();
  const topic = uniqueName('keep-invalid-record');
  await createTopic(destinationBootstrap, topic, 1, { 'cleanup.policy': 'compact' });
  const keyless = Array.from({ length: 500 }, (_, i) => record(null, `v${i}`));
  await assert.rejects(produce(destinationBootstrap, topic, new Map([[0, keyless]]), 500), (error: unknown) => {
    assert.ok(error instanceof KrerouteError, String(error));
    assert.equal(error.code, 'DESTINATION_CHECK', error.message.slice(0, 300));
    assert.match(
      error.oneLine(),
      /^the destination refused records as invalid \(INVALID_RECORD\) while writing to .*without a key on a compacted topic — check the destination topic's cleanup\.policy/,
    );
    assert.ok(error.oneLine().length < 500, `${error.oneLine().length} characters`);
    return true;
  });
});

test('a plan without --exact: the first look finds keyless records and old timestamps; copy samples the source again', async () => {
  const { destinationBootstrap, source, destination } = sides();
  const keyless = await sourceTopic('keep-sample-keyless', 50, Date.now() - 60_000, { key: (_, i) => (i % 10 === 0 ? null : `k${i}`) });
  await createTopic(destinationBootstrap, keyless, 2, { 'cleanup.policy': 'compact' });
  await assert.rejects(
    createPlan({ source, destination, topics: [keyless], from: { kind: 'earliest' }, to: { kind: 'latest' } }),
    (error: unknown) =>
      error instanceof KrerouteError && error.code === 'DESTINATION_CHECK' && /cleanup\.policy=compact .*would refuse 10 planned record/.test(error.message),
  );

  const old = await sourceTopic('keep-sample-old', 100, Date.now() - 6.5 * DAY);
  await createTopic(destinationBootstrap, old, 2, { 'retention.ms': '-1' });
  const plan = await createPlan({ source, destination, topics: [old], from: { kind: 'earliest' }, to: { kind: 'latest' } });
  assert.equal(plan.estimate.exact, false);
  await alterTopic(destinationBootstrap, old, { 'retention.ms': '604800000' });
  await assert.rejects(
    copyPlan(plan, { source, destination, stateDir: join(dir, 'sample-old.state') }),
    (error: unknown) =>
      error instanceof KrerouteError &&
      error.code === 'DESTINATION_LOSS' &&
      /^copy refused, nothing written: .*retention\.ms=604800000 .*the oldest planned record is 6\.5 days old.*would delete up to 200 planned record/.test(
        error.message,
      ),
  );
  assert.deepEqual(await offsets(destinationBootstrap, old, 2, 'latest'), [0n, 0n], 'nothing was written');
});

test('after.max.ms raised for the copy and set back afterwards: verify and purge go ahead (written records are not refused again)', async () => {
  const { destinationBootstrap, source, destination } = sides();
  const topic = await sourceTopic('keep-future-restored', 100, Date.now() + 2 * DAY);
  await createTopic(destinationBootstrap, topic, 2, { 'message.timestamp.after.max.ms': String(3 * DAY) });
  const plan = await createPlan({ source, destination, topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true });
  const stateDir = join(dir, 'future-restored.state');
  assert.equal((await copyPlan(plan, { source, destination, stateDir })).records, 200);
  await alterTopic(destinationBootstrap, topic, { 'message.timestamp.after.max.ms': '3600000' });
  assert.equal((await verifyPlan(plan, { source, destination, stateDir })).passed, true);
  const report = await purgePlan(plan, { source, destination, stateDir });
  assert.deepEqual(
    report.partitions.map((p) => p.logStartAfter),
    ['100', '100'],
  );
});
