import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import test from 'node:test';
import type { CopySummary } from '../../../src/copy/copy-plan.ts';
import type { EngineEvent } from '../../../src/common/events.ts';
import { type RunWorkersOptions, runWorkers } from '../../../src/workers/run-workers.ts';
import { type WorkerCount, chooseLayout, workerShare } from '../../../src/workers/worker-layout.ts';
import type { SpawnWorker } from '../../../src/workers/worker-process.ts';
import type { WorkerProcess, WorkerSpec } from '../../../src/workers/worker-process.ts';
import { shardsFailedError } from '../../../src/workers/workers-summary.ts';
import { offlinePlan } from '../../support/offline-plan.ts';
import { workerArgs } from '../../../src/cli/workers/worker-args.ts';
import { emptyCopyStats } from '../../../src/copy/copy-stats.ts';

/** The supervisor for a job not begun yet. */
function copyWithWorkers(plan: ReturnType<typeof planOf>, options: RunWorkersOptions & { workers: WorkerCount }, spawn: SpawnWorker) {
  return runWorkers(plan, chooseLayout(plan, options.workers, { kind: 'none' }), options, spawn);
}

/** A plan of `partitions` partitions of `orders`, 100 records each. */
function planOf(partitions: number) {
  const base = offlinePlan();
  const topic = base.topics[0]!;
  return offlinePlan({
    topics: [
      {
        ...topic,
        sourcePartitions: partitions,
        destinationPartitions: partitions,
        partitions: Array.from({ length: partitions }, (_, p) => ({
          partition: p,
          start: '0',
          end: '100',
          destinationPartition: p,
          upperBound: 100,
          exact: null,
        })),
      },
    ],
    estimate: { records: 100 * partitions, exact: false, bytes: 10_000 * partitions, seconds: 1 },
  });
}

const summary = (records: number, extra: Partial<CopySummary> = {}): CopySummary => ({
  records,
  bytes: records * 10,
  seconds: 1,
  reconciled: 0,
  resumed: false,
  alreadyComplete: false,
  mode: 'exactly-once',
  stats: { ...emptyCopyStats(), forwardedBatches: 1, forwardedRecords: records },
  ...extra,
});

/** A worker process that writes `lines` and exits with `code` (or is killed with `signal`) on the next turns. */
class FakeWorker extends EventEmitter implements WorkerProcess {
  static next = 1000;
  readonly pid = FakeWorker.next++;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly signals: NodeJS.Signals[] = [];
  constructor(script: (worker: FakeWorker) => void) {
    super();
    setImmediate(() => script(this));
  }
  kill(signal: NodeJS.Signals): boolean {
    this.signals.push(signal);
    this.emit('killed', signal);
    return true;
  }
  say(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }
  end(code: number | null, signal: NodeJS.Signals | null = null): void {
    this.stdout.end();
    this.stderr.end();
    setImmediate(() => this.emit('close', code, signal));
  }
}

test('layout: N shards as asked, capped by the shards worth running; one is the whole plan', () => {
  const none = { kind: 'none' } as const;
  assert.deepEqual(
    chooseLayout(planOf(12), 3, none).shards,
    [0, 1, 2].map((index) => ({ index, count: 3 })),
  );
  const capped = chooseLayout(planOf(2), 8, none);
  assert.equal(capped.shards.length, 2);
  assert.match(capped.notes[0]!, /2 worker\(s\), not 8/);
  assert.equal(chooseLayout(planOf(12), 'auto', none, 4).concurrency, 4);
  assert.deepEqual(chooseLayout(planOf(12), 'auto', none, 1).shards, [null]);
});

test('layout: a job started before keeps its layout', () => {
  const sharded = chooseLayout(planOf(12), 2, { kind: 'sharded', count: 4 });
  assert.equal(sharded.shards.length, 4);
  assert.equal(sharded.concurrency, 2);
  assert.match(sharded.notes[0]!, /begun as 4 shards/);
  assert.deepEqual(chooseLayout(planOf(12), 4, { kind: 'whole' }).shards, [null]);
});

test('shares: rate and memory budget split evenly, at least 1 rec/s and 1 MiB', () => {
  assert.deepEqual(workerShare({ maxRatePerSec: 1000, memoryBudgetBytes: 64 * 1024 * 1024 }, 3), {
    maxRatePerSec: 333,
    memoryBudgetBytes: Math.floor((64 * 1024 * 1024) / 3),
  });
  assert.deepEqual(workerShare({ maxRatePerSec: 2, memoryBudgetBytes: 2 * 1024 * 1024 }, 4), { maxRatePerSec: 1, memoryBudgetBytes: 1024 * 1024 });
  assert.deepEqual(workerShare({}, 4), {});
});

test('worker arguments: the shard, the user flags, the share of the limits', () => {
  const args = workerArgs(
    'p.json',
    'p.state',
    { source: 'a:1', destConfig: 'd.properties', mode: 'at-least-once', passthrough: false, acceptOverlap: true },
    { shard: { index: 1, count: 3 }, maxRatePerSec: 333 },
  );
  assert.deepEqual(args, [
    '--json',
    '--progress-interval',
    '1s',
    'copy',
    'p.json',
    '--supervised',
    '--state-dir',
    'p.state',
    '--shard',
    '1/3',
    '--source',
    'a:1',
    '--dest-config',
    'd.properties',
    '--mode',
    'at-least-once',
    '--max-rate',
    '333',
    '--accept-overlap',
    '--no-passthrough',
  ]);
});

test('supervisor: combined progress and one summary of every shard', async () => {
  const events: EngineEvent[] = [];
  const specs: WorkerSpec[] = [];
  const result = await copyWithWorkers(planOf(12), { workers: 3, maxRatePerSec: 900, onEvent: (e) => events.push(e) }, (spec) => {
    specs.push(spec);
    return new FakeWorker((w) => {
      w.say({ type: 'stage', stage: 'copy', message: 'starting the copy (exactly-once)' });
      w.say({ type: 'progress', stage: 'copy', records: 400, bytes: 4000, totalRecords: 400, ratePerSec: 100, bytesPerSec: 1000, etaSeconds: 0 });
      setTimeout(() => {
        w.say({
          type: 'result',
          kind: 'copy',
          planFile: 'p',
          summary: summary(spec.shard!.index === 2 ? 0 : 400, spec.shard!.index === 2 ? { alreadyComplete: true } : {}),
        });
        w.end(0);
      }, 1200);
    });
  });
  assert.deepEqual(
    specs.map((s) => s.maxRatePerSec),
    [300, 300, 300],
  );
  assert.equal(result.records, 800);
  assert.deepEqual(
    result.shards.map((s) => s.shard),
    ['0/3', '1/3', '2/3'],
  );
  assert.equal(result.workers, 3);
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length >= 1);
  const first = progress[0]!;
  assert.equal(first.type === 'progress' && first.records, 1200);
  assert.equal(first.type === 'progress' && first.ratePerSec, 300);
  assert.ok(events.some((e) => e.type === 'info' && e.message === 'shard 1/3: starting the copy (exactly-once)'));
  assert.ok(events.some((e) => e.type === 'worker' && e.status === 'done' && e.shard === '2/3' && e.message === 'already copied'));
});

test('supervisor: a failed worker does not stop the others; one error names it', async () => {
  const events: EngineEvent[] = [];
  const done: string[] = [];
  const failing = copyWithWorkers(
    planOf(4),
    { workers: 2, onEvent: (e) => events.push(e) },
    (spec) =>
      new FakeWorker((w) => {
        if (spec.shard!.index === 0) return w.end(null, 'SIGKILL');
        setTimeout(() => {
          done.push(`${spec.shard!.index}`);
          w.say({ type: 'result', kind: 'copy', planFile: 'p', summary: summary(10) });
          w.end(0);
        }, 50);
      }),
  );
  await assert.rejects(failing, (error: Error & { code?: string; hint?: string }) => {
    assert.equal(error.code, 'COPY_FAILED');
    assert.match(error.message, /1 of 2 shard\(s\) failed \(0\/2: killed by SIGKILL\)/);
    assert.match(error.hint!, /run the same command again: it resumes the failed shards/);
    return true;
  });
  assert.deepEqual(done, ['1']);
  assert.ok(events.some((e) => e.type === 'worker' && e.status === 'failed' && e.shard === '0/2' && /the other shards go on/.test(e.message)));
});

test('supervisor: failures of one kind keep their code; the worker error line is used', () => {
  const error = shardsFailedError(
    [
      { shard: '0/2', code: 'CONFIG', reason: 'no such file a.properties', hint: 'fix --source-config' },
      { shard: '1/2', code: 'CONFIG', reason: 'no such file a.properties', hint: 'fix --source-config' },
    ],
    2,
  );
  assert.equal(error.code, 'CONFIG');
  assert.match(error.hint!, /^fix --source-config; then run the same command again/);
});

test('supervisor: failures of different kinds report one that needs a fix first, so the exit code does not promise a rerun helps', () => {
  const mixed = shardsFailedError(
    [
      { shard: '0/3', code: 'UNREACHABLE', reason: 'cannot reach the broker' },
      { shard: '1/3', code: 'AUTH', reason: 'authentication failed', hint: 'check sasl.jaas.config' },
      { shard: '2/3', code: null, reason: 'killed by SIGKILL' },
    ],
    3,
  );
  assert.equal(mixed.code, 'AUTH');
  assert.equal(mixed.retryable, false);
  assert.match(mixed.message, /0\/3: UNREACHABLE: cannot reach the broker; 1\/3: AUTH: authentication failed; 2\/3: killed by SIGKILL/);
  assert.match(mixed.hint!, /^check sasl\.jaas\.config; then run the same command again/);

  const transient = shardsFailedError(
    [
      { shard: '0/2', code: 'UNREACHABLE', reason: 'cannot reach the broker' },
      { shard: '1/2', code: 'WAIT_TIMEOUT', reason: 'gave up after waiting 5 m' },
    ],
    2,
  );
  assert.equal(transient.code, 'COPY_FAILED');
  assert.equal(transient.retryable, true);
});

test('supervisor: a stop is passed on to every worker, then INTERRUPTED', async () => {
  const controller = new AbortController();
  const workers: FakeWorker[] = [];
  const stopping = copyWithWorkers(planOf(4), { workers: 2, signal: controller.signal, stopGraceMs: 200 }, () => {
    const worker = new FakeWorker((w) => {
      w.say({ type: 'progress', stage: 'copy', records: 1, bytes: 1, totalRecords: 200, ratePerSec: 1, bytesPerSec: 1, etaSeconds: 1 });
      // The second worker ignores SIGTERM and is killed after the grace period.
      w.on('killed', (signal: NodeJS.Signals) => {
        if (signal === 'SIGKILL' || w === workers[0]) {
          if (signal === 'SIGTERM') w.say({ type: 'error', code: 'INTERRUPTED', message: 'copy interrupted; progress is saved', exitCode: 143 });
          w.end(signal === 'SIGKILL' ? null : 143, signal === 'SIGKILL' ? 'SIGKILL' : null);
        }
      });
    });
    workers.push(worker);
    return worker;
  });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(stopping, { code: 'INTERRUPTED' });
  assert.deepEqual(workers[0]!.signals, ['SIGTERM']);
  assert.deepEqual(workers[1]!.signals, ['SIGTERM', 'SIGKILL']);
});
