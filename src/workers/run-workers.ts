import { KrerouteError } from '../common/errors.ts';
import { type EventSink, ignoreEvents } from '../common/events.ts';
import type { Plan } from '../plan/plan.ts';
import type { ShardRef } from '../shard/shard-layout.ts';
import { shardLabel, shardPlan } from '../shard/shard-plan.ts';
import { CombinedProgress } from './combined-progress.ts';
import { type WorkerLayout, workerShare } from './worker-layout.ts';
import type { WorkerMessage } from './worker-message.ts';
import type { SpawnWorker, WorkerSpec } from './worker-process.ts';
import { type RunningWorker, type WorkerOutcome, runWorker } from './worker-run.ts';
import { type ShardFailure, type ShardResult, type WorkersSummary, combineSummaries, shardsFailedError } from './workers-summary.ts';

export interface RunWorkersOptions {
  /** For the whole job: each worker gets an even share. */
  maxRatePerSec?: number;
  /** For the whole job: each worker gets an even share (1 MiB at least); unset, each has the copy's default. */
  memoryBudgetBytes?: number;
  onEvent?: EventSink;
  /** Stops every worker at a clean point (each saves its checkpoint). */
  signal?: AbortSignal;
  /** How long stopping workers may take before they are killed (default 7 s: within the CLI's own 8 s to stop, see GRACEFUL_STOP_MS). */
  stopGraceMs?: number;
  /** A worker reported its metrics (see WorkerMessage); the latest report of each shard counts. */
  onMetrics?: (shard: string, snapshot: unknown) => void;
}

const labelOf = (shard: ShardRef | null): string => (shard ? shardLabel(shard) : 'whole');

/**
 * Runs the shards of `layout` in worker processes, `layout.concurrency` at a time, and reports them
 * as one copy: one progress over the whole plan, one summary. A worker that fails does not stop
 * the others; the failures are reported when all have ended. A stop (signal) is passed on to every
 * worker, which saves its checkpoint; one that takes longer than the grace period is killed.
 */
export async function runWorkers(plan: Plan, layout: WorkerLayout, options: RunWorkersOptions, spawn: SpawnWorker): Promise<WorkersSummary> {
  const onEvent = options.onEvent ?? ignoreEvents;
  const started = performance.now();
  for (const note of layout.notes) onEvent({ type: 'info', message: note });
  const count = layout.shards.length;
  onEvent({
    type: 'stage',
    stage: 'copy',
    message: layout.shards[0] === null ? 'copying the plan whole with one worker' : `copying ${count} shards with ${layout.concurrency} worker process(es)`,
  });
  const share = workerShare(options, layout.concurrency);
  const progress = new CombinedProgress(plan.estimate.records);
  const queue = [...layout.shards];
  const running = new Set<RunningWorker>();
  const results: ShardResult[] = [];
  const failures: ShardFailure[] = [];
  const graceMs = options.stopGraceMs ?? 7_000;
  let stopping = options.signal?.aborted === true;
  const stopAll = () => {
    stopping = true;
    for (const worker of running) worker.stop(graceMs);
  };
  options.signal?.addEventListener('abort', stopAll, { once: true });
  const ticker = setInterval(() => progress.seen && onEvent(progress.event()), 1000);

  const settle = (shard: ShardRef | null, pid: number | undefined, outcome: WorkerOutcome): void => {
    const label = labelOf(shard);
    if (outcome.status === 'done') {
      results.push({ shard: label, summary: outcome.summary });
      progress.finished(label, outcome.summary.alreadyComplete ? shardRecords(plan, shard) : undefined);
      const message = outcome.summary.alreadyComplete
        ? 'already copied'
        : `copied ${outcome.summary.records} records in ${outcome.summary.seconds.toFixed(1)} s`;
      onEvent({ type: 'worker', shard: label, status: 'done', message, ...(pid ? { pid } : {}) });
      return;
    }
    progress.finished(label);
    // Stopped as asked: its progress is saved, nothing failed.
    if (stopping && (outcome.code === 'INTERRUPTED' || outcome.signal !== null)) return;
    failures.push({ shard: label, code: outcome.code, reason: outcome.reason, ...(outcome.hint ? { hint: outcome.hint } : {}) });
    const others = running.size + queue.length > 0 && !stopping ? ' (the other shards go on)' : '';
    onEvent({
      type: 'worker',
      shard: label,
      status: 'failed',
      message: `${outcome.reason}${others}`,
      ...(outcome.code ? { code: outcome.code } : {}),
      ...(pid ? { pid } : {}),
    });
  };

  await new Promise<void>((resolve) => {
    const next = (): void => {
      while (!stopping && running.size < layout.concurrency && queue.length > 0) start(queue.shift()!);
      if (running.size === 0) resolve();
    };
    const start = (shard: ShardRef | null): void => {
      const label = labelOf(shard);
      const spec: WorkerSpec = { shard, ...share };
      const worker = runWorker(spawn, spec, (message) => relay(label, message, progress, onEvent, options.onMetrics));
      running.add(worker);
      if (worker.pid) onEvent({ type: 'worker', shard: label, status: 'started', message: `started (pid ${worker.pid})`, pid: worker.pid });
      void worker.done.then((outcome) => {
        running.delete(worker);
        settle(shard, worker.pid, outcome);
        next();
      });
    };
    next();
  });
  clearInterval(ticker);
  options.signal?.removeEventListener('abort', stopAll);
  if (progress.seen) onEvent(progress.event());
  results.sort((a, b) => order(a.shard) - order(b.shard));
  if (stopping) {
    throw new KrerouteError('INTERRUPTED', `copy interrupted; every worker saved its progress (${results.length} of ${count} shard(s) finished)`, {
      hint: 'run the same command again to resume from the checkpoints',
    });
  }
  if (failures.length > 0) throw shardsFailedError(failures, count);
  return combineSummaries(results, layout.concurrency, (performance.now() - started) / 1000);
}

function relay(shard: string, message: WorkerMessage, progress: CombinedProgress, onEvent: EventSink, onMetrics: RunWorkersOptions['onMetrics']): void {
  if (message.kind === 'metrics') {
    onMetrics?.(shard, message.snapshot);
    return;
  }
  if (message.kind === 'other') {
    onEvent({ type: 'info', message: `shard ${shard}: ${message.text}` });
    return;
  }
  if (message.kind !== 'event') return;
  const { event } = message;
  if (event.type === 'progress') progress.update(shard, event);
  // A worker's stage line ("starting the copy") is a note among several, not a stage of the job.
  else if (event.type === 'stage') onEvent({ type: 'info', message: `shard ${shard}: ${event.message}` });
  else if (event.type !== 'worker') onEvent({ ...event, message: `shard ${shard}: ${event.message}` });
}

function shardRecords(plan: Plan, shard: ShardRef | null): number {
  return shard ? shardPlan(plan, shard).estimate.records : plan.estimate.records;
}

const order = (label: string): number => (label === 'whole' ? -1 : Number(label.split('/')[0]));
