import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import type { CliContext } from '../../../../src/cli/context.ts';
import { type MetricsFlags, groupingOf, startMetrics, withMetrics } from '../../../../src/cli/options/metrics-options.ts';
import { KrerouteError } from '../../../../src/common/errors.ts';

function context(): { ctx: CliContext; warnings: string[]; notes: string[] } {
  const warnings: string[] = [];
  const notes: string[] = [];
  const out = { warn: (code: string, m: string) => warnings.push(`${code} ${m}`), note: (m: string) => notes.push(m), metrics: () => undefined };
  return { ctx: { out, interrupts: { received: null }, env: {} } as unknown as CliContext, warnings, notes };
}

const scope = { command: 'copy', planFile: '/plans/tenant-b.plan.json' } as const;
const start = (flags: MetricsFlags) => startMetrics(context().ctx, flags, scope);

/** A one-line BAD_INPUT error whose text matches `pattern`. */
const badInput = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof KrerouteError, `a KrerouteError, got ${String(error)}`);
  assert.equal(error.code, 'BAD_INPUT');
  assert.ok(!error.oneLine().includes('\n'));
  assert.match(error.oneLine(), pattern);
  return true;
};

test('no metrics flag: no metrics', async () => {
  assert.equal(await start({}), undefined);
});

test('metrics flags: clear one-line errors that quote no password', async () => {
  await assert.rejects(
    start({ metricsTextfile: '/tmp/kreroute.txt' }),
    badInput(/^--metrics-textfile: \/tmp\/kreroute\.txt does not end in \.prom.*kreroute\.prom/),
  );
  // A folder that is a file (a missing folder is created, as the state folder is).
  await assert.rejects(
    start({ metricsTextfile: `${import.meta.filename}/kreroute.prom` }),
    badInput(/^--metrics-textfile: cannot write \S+metrics-options\.test\.ts\/kreroute\.prom \((EEXIST|ENOTDIR)\)/),
  );
  for (const url of ['ftp://user:pa55word@gateway:9091', 'user:pa55word@gateway:9091', 'http//pa55word']) {
    await assert.rejects(start({ metricsPush: url }), (error: unknown) => {
      badInput(/^--metrics-push: not an http:\/\/ or https:\/\/ address.*--metrics-push http:\/\/pushgateway:9091/)(error);
      assert.doesNotMatch((error as KrerouteError).oneLine(), /pa55word/);
      return true;
    });
  }
  await assert.rejects(
    start({ metricsPartitions: true }),
    badInput(/^--metrics-partitions: given without --metrics-port, --metrics-textfile or --metrics-push/),
  );
  await assert.rejects(start({ metricsInterval: '10s' }), badInput(/^--metrics-interval: given without/));
  await assert.rejects(start({ metricsHost: '127.0.0.1' }), badInput(/^--metrics-host: given without --metrics-port/));
  await assert.rejects(
    start({ metricsTextfile: '/tmp/x.prom', metricsInterval: '0.2s' }),
    badInput(/^--metrics-interval: "0\.2s" is not a duration of at least 1 s/),
  );
});

test('the Pushgateway grouping key: command, plan file name, shard', () => {
  assert.deepEqual(groupingOf(scope), { command: 'copy', plan: 'tenant-b.plan.json' });
  assert.deepEqual(groupingOf({ ...scope, shard: { index: 2, count: 4 } }), { command: 'copy', plan: 'tenant-b.plan.json', shard: '2-of-4' });
});

test('--metrics-textfile: written at the start, and at the end with the exit code and the error code; no temporary file left', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-textfile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'kreroute.prom');
  const metrics = await start({ metricsTextfile: path });
  assert.match(await readFile(path, 'utf8'), /^kreroute_info\{version="[^"]+"\} 1$/m, 'written before any work');
  assert.doesNotMatch(await readFile(path, 'utf8'), /kreroute_exit_code\{/, 'no exit code while it runs');
  const failure = new KrerouteError('COPY_FAILED', 'the destination refused a write');
  await assert.rejects(
    withMetrics(metrics, async () => {
      metrics!.sink.retried('NOT_LEADER_OR_FOLLOWER');
      throw failure;
    }),
    failure,
  );
  const page = await readFile(path, 'utf8');
  assert.match(page, new RegExp(`^kreroute_exit_code\\{command="copy"\\} ${failure.exitCode}$`, 'm'));
  assert.match(page, /^kreroute_errors_total\{code="COPY_FAILED"\} 1$/m);
  assert.match(page, /^kreroute_retries_total\{code="NOT_LEADER_OR_FOLLOWER"\} 1$/m);
  assert.deepEqual(await readdir(dir), ['kreroute.prom']);
  await metrics!.close();
  assert.equal(await readFile(path, 'utf8'), page, 'only the first close counts');
});

test('--metrics-textfile that can no longer be written: one warning, and the command still ends as it would', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-textfile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'kreroute.prom');
  const { ctx, warnings } = context();
  const metrics = await startMetrics(ctx, { metricsTextfile: path, metricsInterval: '1s' }, scope);
  // The file's place taken by a folder: the rename over it fails.
  await rm(path);
  await mkdir(path);
  assert.equal(await withMetrics(metrics, () => sleep(2_500).then(() => 'done')), 'done');
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^METRICS_EXPORT_FAILED --metrics-textfile: cannot write \S+kreroute\.prom \(\w+\); trying again$/);
});
