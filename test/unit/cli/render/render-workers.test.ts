import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import test from 'node:test';
import { Output } from '../../../../src/cli/render/output.ts';
import { renderCopy } from '../../../../src/cli/render/render-copy.ts';
import type { CopySummary } from '../../../../src/copy/copy-plan.ts';
import { combineSummaries } from '../../../../src/workers/workers-summary.ts';
import { emptyCopyStats } from '../../../../src/copy/copy-stats.ts';

const part = (records: number, extra: Partial<CopySummary> = {}): CopySummary => ({
  records,
  bytes: records * 100,
  seconds: 2,
  reconciled: 0,
  resumed: false,
  alreadyComplete: false,
  mode: 'exactly-once',
  stats: emptyCopyStats(),
  ...extra,
});

test('renderCopy of a copy by workers: the totals, then a line per shard', () => {
  const summary = combineSummaries(
    [
      { shard: '0/2', summary: part(0, { alreadyComplete: true }) },
      { shard: '1/2', summary: part(1500, { resumed: true }) },
    ],
    2,
    3,
  );
  assert.deepEqual(renderCopy(summary, 'b.plan.json'), [
    'Copied 1,500 records (146 KiB) in 3.0 s, 500 records/s with 2 workers, exactly-once (each transaction carries the data and the checkpoint).',
    '  shard 0/2: already copied',
    '  shard 1/2: 1,500 records (146 KiB) in 2.0 s, resumed',
    '  Resumed from the checkpoint.',
    'Next: kreroute verify b.plan.json',
  ]);
  const done = combineSummaries(
    [
      { shard: '0/2', summary: part(0, { alreadyComplete: true }) },
      { shard: '1/2', summary: part(0, { alreadyComplete: true }) },
    ],
    2,
    1,
  );
  assert.match(renderCopy(done, 'b.plan.json')[0]!, /^Copy already complete: the checkpoint shows every shard done/);
});

test('worker events: a failure is a line naming the shard, kept with --quiet; --json keeps the shard field', () => {
  const capture = () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => (text += d.toString()));
    return { stream, text: () => text };
  };
  const [stdout, stderr] = [capture(), capture()];
  const out = new Output({ stdout: stdout.stream, stderr: stderr.stream });
  out.configure({ quiet: true });
  out.event({ type: 'worker', shard: '0/3', status: 'started', message: 'started (pid 12)', pid: 12 });
  out.event({ type: 'worker', shard: '1/3', status: 'failed', message: 'killed by SIGKILL (the other shards go on)', pid: 13 });
  const json = capture();
  const jsonOut = new Output({ stdout: json.stream, stderr: capture().stream });
  jsonOut.configure({ json: true });
  jsonOut.event({ type: 'worker', shard: '1/3', status: 'failed', message: 'kaputt', code: 'COPY_FAILED' });
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.equal(stderr.text(), 'shard 1/3 failed: killed by SIGKILL (the other shards go on)\n');
      const { time, ...line } = JSON.parse(json.text()) as { time: string };
      assert.deepEqual(line, { type: 'worker', shard: '1/3', status: 'failed', message: 'kaputt', code: 'COPY_FAILED' });
      assert.ok(Math.abs(Date.parse(time) - Date.now()) < 60_000 && time.endsWith('Z'), `an ISO time in UTC: ${time}`);
      resolve();
    }),
  );
});
