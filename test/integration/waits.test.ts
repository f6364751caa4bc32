import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { writePlanFile } from '../../src/index.ts';
import { startKreroute } from '../support/cli-process.ts';
import { runKreroute } from '../support/cli-run.ts';
import { uniqueName } from '../support/clusters.ts';
import { openForeignTransaction } from '../support/foreign-transaction.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';
import { silentListener } from '../support/silent-listener.ts';

/** The lines kreroute ends with: exactly one, naming the silent address. */
function assertNamed(stderr: string, address: string): void {
  const errors = stderr.split('\n').filter((l) => l.startsWith('kreroute: '));
  assert.equal(errors.length, 1, stderr);
  assert.ok(errors[0]!.startsWith(`kreroute: UNREACHABLE: no Kafka answer from ${address} — is it a Kafka listener?`), stderr);
}

for (const side of ['source', 'destination'] as const) {
  test(`a ${side} bootstrap address that takes connections and never answers is named after 10 s of silence (exit 10)`, async (t) => {
    const silent = await silentListener();
    t.after(() => silent.close());
    const { sourceBootstrap, destinationBootstrap } = sides();
    const dir = await stateDir(`silent-${side}`);
    const [source, destination] = side === 'source' ? [silent.address, destinationBootstrap] : [sourceBootstrap, silent.address];
    const run = await runKreroute(['plan', '--source', source, '--destination', destination, '--topic', 'any', '--out', join(dir, 'plan.json')], 40_000);
    assert.equal(run.code, 10, run.stderr);
    assertNamed(run.stderr, silent.address);
    // 10 s of silence, and the CLI's start-up on a busy machine.
    assert.ok(run.ms < 18_000, `named after ${run.ms} ms`);
  });
}

test('a silent bootstrap address is named also when the client logs in with SASL first (exit 10)', async (t) => {
  const silent = await silentListener();
  t.after(() => silent.close());
  const dir = await stateDir('silent-sasl');
  const properties = join(dir, 'source.properties');
  await writeFile(
    properties,
    'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";\n',
  );
  const run = await runKreroute(
    [
      'plan',
      '--source',
      silent.address,
      '--source-config',
      properties,
      '--destination',
      sides().destinationBootstrap,
      '--topic',
      'any',
      '--out',
      join(dir, 'plan.json'),
    ],
    60_000,
  );
  assert.equal(run.code, 10, run.stderr);
  assertNamed(run.stderr, silent.address);
  assert.ok(run.ms < 18_000, `named after ${run.ms} ms`);
});

/** A plan of `count` records on one partition, written to a file; the CLI's cluster flags for it. */
async function planned(prefix: string, count: number) {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName(prefix);
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: count }, (_, i) => record(`k${i}`, `seq-${i}`))]]), 100);
  const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
  const dir = await stateDir(prefix);
  const planFile = join(dir, 'plan.json');
  await writePlanFile(planFile, p);
  return {
    topic,
    planFile,
    clusters: ['--source', sourceBootstrap, '--destination', destinationBootstrap, '--state-dir', join(dir, 'state')],
    destinationBootstrap,
  };
}

/** SIGTERM now; the process must be gone within 10 s, with 143. */
async function terminate(run: ReturnType<typeof startKreroute>): Promise<number> {
  const sent = Date.now();
  run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 30_000);
  const { code, at } = await run.exited;
  clearTimeout(timer);
  assert.equal(code, 143, run.stderr());
  assert.match(run.stderr(), /kreroute: INTERRUPTED: /);
  return at - sent;
}

/**
 * Waits until `run` has sent the silent listener a request, and a little longer: it is then past
 * start-up, its signal handlers installed, and waiting for an answer. Not a fixed sleep: on a
 * loaded machine start-up alone can outlast one, and a signal before the handlers are installed
 * ends the process by the signal, not with 143 (what CI saw once).
 */
async function untilAsked(silent: { asked: Promise<void> }, run: ReturnType<typeof startKreroute>): Promise<void> {
  const giveUp = new AbortController();
  await Promise.race([
    silent.asked,
    sleep(30_000, undefined, { signal: giveUp.signal }).then(() => assert.fail(`no request to the silent listener within 30 s; stderr: ${run.stderr()}`)),
  ]).finally(() => giveUp.abort());
  await sleep(500);
}

test('SIGTERM while copy is still connecting to a silent source ends it within 10 s (143)', async (t) => {
  const silent = await silentListener();
  t.after(() => silent.close());
  const { planFile, clusters } = await planned('sigterm-connecting', 10);
  const run = startKreroute(['copy', planFile, ...clusters, '--source', silent.address]);
  await untilAsked(silent, run);
  const ms = await terminate(run);
  assert.ok(ms < 10_000, `exited ${ms} ms after SIGTERM`);
});

test('SIGTERM during plan --exact (connecting to a silent destination) ends it within 10 s (143)', async (t) => {
  const silent = await silentListener();
  t.after(() => silent.close());
  const { sourceBootstrap } = sides();
  const dir = await stateDir('sigterm-plan');
  const run = startKreroute([
    'plan',
    '--source',
    sourceBootstrap,
    '--destination',
    silent.address,
    '--topic',
    'any',
    '--exact',
    '--out',
    join(dir, 'plan.json'),
  ]);
  await run.waitFor(/planning on source/, 20_000);
  await sleep(1_000);
  const ms = await terminate(run);
  assert.ok(ms < 10_000, `exited ${ms} ms after SIGTERM`);
});

test('SIGTERM during a running copy ends it within 10 s (143); the same command again finishes with no loss and no duplicate; SIGTERM during purge (connecting to a silent source) ends it within 10 s', async (t) => {
  const count = 10_000;
  const { topic, planFile, clusters, destinationBootstrap } = await planned('sigterm-copy', count);
  const args = ['copy', planFile, ...clusters, '--mode', 'exactly-once'];
  const run = startKreroute([...args, '--max-rate', '1000']);
  await run.waitFor(/starting the copy/, 30_000);
  await sleep(2_000);
  const ms = await terminate(run);
  assert.ok(ms < 10_000, `exited ${ms} ms after SIGTERM`);
  const rerun = await runKreroute(args, 120_000);
  assert.equal(rerun.code, 0, rerun.stderr);
  const values = (await kcatDump(destinationBootstrap, topic, 0, 0n, count * 2)).map((r) => r.payload);
  assert.deepEqual(
    values,
    Array.from({ length: count }, (_, i) => `seq-${i}`),
    'every record once, in order',
  );
  const verified = await runKreroute(['verify', planFile, ...clusters], 120_000);
  assert.equal(verified.code, 0, verified.stderr);

  const silent = await silentListener();
  t.after(() => silent.close());
  const purge = startKreroute(['purge', planFile, ...clusters, '--source', silent.address, '--execute']);
  await untilAsked(silent, purge);
  const purgeMs = await terminate(purge);
  assert.ok(purgeMs < 10_000, `purge exited ${purgeMs} ms after SIGTERM`);
  assert.equal((await kcatDump(sides().sourceBootstrap, topic, 0, 0n, count * 2)).length, count, 'the source keeps every record');
});

test("verify behind another producer's open transaction on the destination says so every 5 s and gives up after --wait-timeout; SIGTERM ends the wait; once it ends, verify passes", async (t) => {
  const { topic, planFile, clusters, destinationBootstrap } = await planned('foreign-txn', 200);
  // Another writer of the live destination opens a transaction before the copy and holds it
  // (its timeout far above the wait, within the broker's transaction.max.timeout.ms of 15 min).
  const transaction = await openForeignTransaction(t, destinationBootstrap, topic);
  const copied = await runKreroute(['copy', planFile, ...clusters, '--mode', 'at-least-once'], 60_000);
  assert.equal(copied.code, 0, copied.stderr);

  const verify = await runKreroute(['verify', planFile, ...clusters, '--wait-timeout', '12s'], 60_000);
  assert.equal(verify.code, 11, verify.stderr);
  const waits = verify.stderr.split('\n').filter((l) => l.startsWith('waiting for destination'));
  assert.ok(waits.length >= 2, `a notice every 5 s: ${verify.stderr}`);
  assert.match(waits[0]!, new RegExp(`${topic}\\[0\\].*open transaction`));
  assert.match(verify.stderr, /kreroute: WAIT_TIMEOUT: gave up after waiting 1\d s for .*--wait-timeout/);
  assert.ok(verify.ms < 25_000, `gave up after ${verify.ms} ms`);

  const waiting = startKreroute(['verify', planFile, ...clusters]);
  await waiting.waitFor(/waiting for destination/, 20_000);
  const ms = await terminate(waiting);
  assert.ok(ms < 10_000, `exited ${ms} ms after SIGTERM`);

  await transaction.abort();
  const passed = await runKreroute(['verify', planFile, ...clusters, '--wait-timeout', '60s'], 60_000);
  assert.equal(passed.code, 0, passed.stderr);
});

test("verify does not wait for another producer's transaction opened after the copied records", async (t) => {
  const { topic, planFile, clusters, destinationBootstrap } = await planned('foreign-txn-after', 200);
  const copied = await runKreroute(['copy', planFile, ...clusters, '--mode', 'at-least-once'], 60_000);
  assert.equal(copied.code, 0, copied.stderr);
  const transaction = await openForeignTransaction(t, destinationBootstrap, topic);
  const verify = await runKreroute(['verify', planFile, ...clusters, '--wait-timeout', '30s'], 60_000);
  assert.equal(verify.code, 0, verify.stderr);
  assert.doesNotMatch(verify.stderr, /waiting for/);
  await transaction.abort();
});
