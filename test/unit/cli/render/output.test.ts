import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Output } from '../../../../src/cli/render/output.ts';
import { ProgressGate } from '../../../../src/cli/render/progress-gate.ts';
import type { EngineEvent } from '../../../../src/common/events.ts';
import type { Plan } from '../../../../src/plan/plan.ts';

type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>;

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

/** Lets the PassThrough streams deliver what was written. */
const drained = () => new Promise((resolve) => setImmediate(resolve));

const progress = (stage: ProgressEvent['stage'], records: number): ProgressEvent => ({
  type: 'progress',
  stage,
  records,
  bytes: records * 10,
  totalRecords: 100,
  ratePerSec: 10,
  bytesPerSec: 100,
  etaSeconds: 1,
});

const plan = {
  topics: [{ partitions: [{}, {}] }, { partitions: [{}] }],
  estimate: { records: 66_667, exact: true, bytes: 1, seconds: 1 },
  checks: [
    { level: 'warning', code: 'OVERLAP', message: 'newer records' },
    { level: 'info', code: 'TOPIC_CREATED', message: 'created' },
  ],
} as unknown as Plan;

test('the gate: the first report of a stage at once, then one per interval; the one held back comes at the end of the stage', () => {
  let now = 0;
  const gate = new ProgressGate(2_000, () => now);
  const shown: number[] = [];
  for (let second = 0; second <= 5; second++) {
    now = second * 1_000;
    shown.push(...gate.offer(progress('copy', second)).map((e) => e.records));
  }
  assert.deepEqual(shown, [0, 2, 4]);
  now = 5_950;
  assert.deepEqual(
    gate.offer(progress('copy', 6)).map((e) => e.records),
    [6],
    'a report a few ms early for its interval (a drifting timer) is not held back',
  );
  now = 6_500;
  assert.deepEqual(gate.offer(progress('copy', 7)), []);
  now = 7_000;
  assert.deepEqual(
    gate.offer(progress('verify', 0)).map((e) => `${e.stage} ${e.records}`),
    ['copy 7', 'verify 0'],
    'a new stage shows the last report of the one before first',
  );
  assert.deepEqual(gate.flush(), [], 'nothing is held back after a report that was shown');
  assert.deepEqual(new ProgressGate(0).offer(progress('copy', 1)), [], '0: no progress at all');
});

test('text: a warning shows its code; --quiet shows errors and one result line with the count of warnings it did not show', async () => {
  const [stdout, stderr] = [capture(), capture()];
  const out = new Output({ stdout: stdout.stream, stderr: stderr.stream });
  out.configure({});
  out.warn('CONFIG_KEYS_IGNORED', 'a.properties: unknown keys ignored: foo');
  await drained();
  assert.equal(stderr.text(), 'warning [CONFIG_KEYS_IGNORED]: a.properties: unknown keys ignored: foo\n');

  const [quietOut, quietErr] = [capture(), capture()];
  const quiet = new Output({ stdout: quietOut.stream, stderr: quietErr.stream });
  quiet.configure({ quiet: true });
  quiet.event({ type: 'stage', stage: 'plan', message: 'planning' });
  quiet.note('a note');
  quiet.event(progress('plan', 10));
  quiet.warn('STATE_DIR_OF_REPLACED_PLAN', 'remove the old state folder');
  quiet.result('plan', { planFile: 'b.plan.json', plan }, () => ['the whole plan table']);
  quiet.finish();
  await drained();
  assert.equal(quietErr.text(), '');
  assert.equal(
    quietOut.text(),
    'Plan written: b.plan.json, 2 topics, 3 partitions, 66,667 records (exact) (2 warnings: run without --quiet or with --json to see them)\n',
  );
});

test('text --quiet: reroute says its stages in one line; an error comes after it', async () => {
  const [stdout, stderr] = [capture(), capture()];
  const out = new Output({ stdout: stdout.stream, stderr: stderr.stream });
  out.configure({ quiet: true });
  out.result('reroute-stage', { planFile: 'b.plan.json', stage: 'plan', status: 'reused', plan }, () => ['table']);
  out.result('reroute-stage', { planFile: 'b.plan.json', stage: 'copy', status: 'skipped', finishedAt: 'then' }, () => ['table']);
  out.result('reroute-stage', { planFile: 'b.plan.json', stage: 'purge', status: 'done', report: { dryRun: false, partitions: [] } }, () => ['table']);
  out.error('kreroute: VERIFY_FAILED: 1 of 1 destination partitions differ', { code: 'VERIFY_FAILED' });
  await drained();
  assert.equal(
    stdout.text(),
    'Reroute: plan b.plan.json reused; copy already finished; Purge: nothing to delete (1 warning: run without --quiet or with --json to see them)\n',
  );
  assert.equal(stderr.text(), 'kreroute: VERIFY_FAILED: 1 of 1 destination partitions differ\n');
});

test('--json: progress at the interval, the last one before the result; --quiet drops progress events only', async () => {
  const lines = async (options: { quiet?: boolean; progressIntervalMs?: number }) => {
    const stdout = capture();
    const out = new Output({ stdout: stdout.stream, stderr: capture().stream });
    out.configure({ json: true, ...options });
    out.event({ type: 'stage', stage: 'copy', message: 'copying' });
    for (let i = 1; i <= 3; i++) out.event(progress('copy', i));
    out.warn('TRANSACTIONS_REFUSED', 'at-least-once');
    out.result('copy', { planFile: 'p' }, () => []);
    await drained();
    return stdout
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; records?: number });
  };
  assert.deepEqual(
    (await lines({ progressIntervalMs: 60_000 })).map((l) => `${l.type}${l.records ?? ''}`),
    ['stage', 'progress1', 'warning', 'progress3', 'result'],
  );
  assert.deepEqual(
    (await lines({ quiet: true })).map((l) => l.type),
    ['stage', 'warning', 'result'],
  );
});
