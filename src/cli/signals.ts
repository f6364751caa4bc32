import { KrerouteError } from '../errors.ts';
import { EXIT_SIGNAL } from './exit.ts';

type StopSignal = keyof typeof EXIT_SIGNAL;

/**
 * SIGINT / SIGTERM handling. While `graceful` is set (a copy is running) the first signal aborts
 * `signal` so the copy stops at a clean point and keeps its checkpoint; a second signal, or any
 * signal outside a graceful step, ends the process at once.
 */
export class Interrupts {
  readonly #controller = new AbortController();
  #received: StopSignal | null = null;
  #handlers: Array<[StopSignal, () => void]> = [];
  graceful = false;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get received(): StopSignal | null {
    return this.#received;
  }

  install(callbacks: { stopping: (line: string) => void; exitNow: (signal: StopSignal) => void }): void {
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      const handler = () => {
        if (this.#received !== null || !this.graceful) {
          this.#received ??= name;
          callbacks.exitNow(this.#received);
          return;
        }
        this.#received = name;
        callbacks.stopping(`${name} received: stopping at a clean point and saving the checkpoint (send it again to stop at once)`);
        this.#controller.abort(new KrerouteError('INTERRUPTED', `stopped by ${name}`));
      };
      process.on(name, handler);
      this.#handlers.push([name, handler]);
    }
  }

  dispose(): void {
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
