import { createInterface } from 'node:readline';
import type { CopySummary } from '../copy/copy-plan.ts';
import { type WorkerMessage, parseWorkerLine } from './worker-message.ts';
import type { SpawnWorker, WorkerProcess, WorkerSpec } from './worker-process.ts';

export type WorkerOutcome =
  | { status: 'done'; summary: CopySummary }
  | { status: 'failed'; code: string | null; reason: string; hint?: string; exitCode: number | null; signal: NodeJS.Signals | null };

export interface RunningWorker {
  readonly pid: number | undefined;
  readonly done: Promise<WorkerOutcome>;
  /** Asks the worker to stop at a clean point (SIGTERM), and kills it after `graceMs`. */
  stop(graceMs: number): void;
}

/** Starts one worker and follows its JSON lines until it exits; events go to `onMessage`. */
export function runWorker(spawn: SpawnWorker, spec: WorkerSpec, onMessage: (message: WorkerMessage) => void): RunningWorker {
  let child: WorkerProcess;
  try {
    child = spawn(spec);
  } catch (error) {
    const reason = `could not start: ${(error as Error).message}`;
    return { pid: undefined, done: Promise.resolve({ status: 'failed', code: null, reason, exitCode: null, signal: null }), stop: () => undefined };
  }
  let killTimer: NodeJS.Timeout | undefined;
  const done = new Promise<WorkerOutcome>((resolve) => {
    let summary: CopySummary | null = null;
    let error: Extract<WorkerMessage, { kind: 'error' }> | null = null;
    let lastStderr = '';
    if (child.stdout) {
      createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
        if (line.trim() === '') return;
        const message = parseWorkerLine(line);
        if (message.kind === 'result') summary = message.summary;
        else if (message.kind === 'error') error = message;
        else onMessage(message);
      });
    }
    if (child.stderr) {
      createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
        if (line.trim() !== '') lastStderr = line.trim();
      });
    }
    child.once('error', (spawnError) => {
      clearTimeout(killTimer);
      resolve({ status: 'failed', code: null, reason: `could not start: ${spawnError.message}`, exitCode: null, signal: null });
    });
    // 'close', not 'exit': the result line may still be in the pipe when the process exits.
    child.once('close', (code, signal) => {
      clearTimeout(killTimer);
      if (code === 0 && summary) return resolve({ status: 'done', summary });
      const failure = error as Extract<WorkerMessage, { kind: 'error' }> | null;
      if (failure)
        return resolve({
          status: 'failed',
          code: failure.code,
          reason: failure.message,
          ...(failure.hint ? { hint: failure.hint } : {}),
          exitCode: code,
          signal,
        });
      const reason = signal ? `killed by ${signal}` : code === 0 ? 'exited without a result' : `exited with code ${code}${lastStderr ? `: ${lastStderr}` : ''}`;
      resolve({ status: 'failed', code: null, reason, exitCode: code, signal });
    });
  });
  return {
    pid: child.pid,
    done,
    stop(graceMs) {
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), graceMs);
    },
  };
}
