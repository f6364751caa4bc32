import { KrerouteError } from '../common/errors.ts';
import { EXIT_SIGNAL } from './exit.ts';

type StopSignal = keyof typeof EXIT_SIGNAL;

/**
 * How long a graceful stop may take before the process ends anyway: within a Kubernetes pod's
 * grace period and the 10 s a user waits. Ending there loses nothing: the checkpoint is written
 * atomically and an open transaction is aborted by the next run (as after kill -9).
 */
export const GRACEFUL_STOP_MS = 8_000;

/**
 * SIGINT / SIGTERM handling. While `graceful` is set (a copy is running) the first signal aborts
 * `signal` so the copy stops at a clean point and keeps its checkpoint, within GRACEFUL_STOP_MS
 * (a copy still connecting to a broker that does not answer has no clean point to reach); a second
 * signal, or any signal outside a graceful step, ends the process at once.
 */
export class Interrupts {
  readonly #controller = new AbortController();
  #received: StopSignal | null = null;
  #handlers: Array<[StopSignal, () => void]> = [];
  #deadline: NodeJS.Timeout | undefined;
  graceful = false;
  readonly #gracefulStopMs: number;

  constructor(gracefulStopMs = GRACEFUL_STOP_MS) {
    this.#gracefulStopMs = gracefulStopMs;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get received(): StopSignal | null {
    return this.#received;
  }

  /** `exitNow`: `resumable` when a copy was cut short (the next run resumes it). */
  install(callbacks: { stopping: (line: string) => void; exitNow: (signal: StopSignal, resumable: boolean) => void }): void {
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      const handler = () => {
        if (this.#received !== null || !this.graceful) {
          this.#received ??= name;
          callbacks.exitNow(this.#received, this.#deadline !== undefined);
          return;
        }
        this.#received = name;
        const seconds = Math.round(this.#gracefulStopMs / 1000);
        callbacks.stopping(`${name} received: stopping at a clean point and saving the checkpoint, ${seconds} s at most (send it again to stop at once)`);
        this.#deadline = setTimeout(() => callbacks.exitNow(name, true), this.#gracefulStopMs);
        this.#deadline.unref();
        this.#controller.abort(new KrerouteError('INTERRUPTED', `stopped by ${name}`));
      };
      process.on(name, handler);
      this.#handlers.push([name, handler]);
    }
  }

  dispose(): void {
    clearTimeout(this.#deadline);
    for (const [name, handler] of this.#handlers) process.off(name, handler);
    this.#handlers = [];
  }
}

export function interruptedError(signal: StopSignal, resumable: boolean): KrerouteError {
  return new KrerouteError('INTERRUPTED', `stopped by ${signal}`, resumable ? { hint: 'run the same command again to resume from the checkpoint' } : {});
}

export function signalExitCode(signal: StopSignal): number {
  return EXIT_SIGNAL[signal];
}
