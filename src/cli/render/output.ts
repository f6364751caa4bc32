import type { EngineEvent, EventSink } from '../../common/events.ts';
import { type ProgressView, createProgressView } from './progress.ts';

export interface OutputStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** bigint → decimal string, so every result can be written as JSON. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * Where everything the CLI says goes. Text mode: results on stdout, progress and notes on stderr.
 * JSON mode (--json): one JSON object per line on stdout — events and results — and nothing else;
 * each has `time`, when it was written (ISO 8601, UTC).
 * --quiet drops progress and notes, never results, warnings or errors.
 */
export class Output {
  json = false;
  quiet = false;
  readonly #streams: OutputStreams;
  #progress: ProgressView | null = null;

  constructor(streams: OutputStreams) {
    this.#streams = streams;
  }

  configure(options: { json?: boolean | undefined; quiet?: boolean | undefined }): void {
    this.json = options.json === true;
    this.quiet = options.quiet === true;
  }

  /** A result: `lines` for people, `data` (with `kind`) for --json. */
  result(kind: string, data: Record<string, unknown>, lines: () => string[]): void {
    if (this.json) {
      this.#jsonLine({ type: 'result', kind, ...data });
      return;
    }
    this.#pauseProgress();
    this.#streams.stdout.write(
      lines()
        .map((l) => `${l}\n`)
        .join(''),
    );
  }

  /** Narration a person reads on stdout (the demo's story); in JSON mode an info event. */
  say(line: string): void {
    if (this.json) {
      this.#jsonLine({ type: 'info', message: line });
      return;
    }
    this.#pauseProgress();
    this.#streams.stdout.write(`${line}\n`);
  }

  note(message: string): void {
    this.event({ type: 'info', message });
  }

  warn(message: string): void {
    this.event({ type: 'warning', message });
  }

  readonly events: EventSink = (event) => this.event(event);

  event(event: EngineEvent): void {
    const important = event.type === 'warning' || (event.type === 'worker' && event.status === 'failed');
    if (this.quiet && !important) return;
    if (this.json) {
      this.#jsonLine(event);
      return;
    }
    switch (event.type) {
      case 'progress':
        this.#progressView().update(event);
        return;
      case 'stage':
        this.#pauseProgress();
        this.#stderrLine(`${event.stage}: ${event.message}`);
        return;
      case 'info':
        this.#stderrLine(event.message);
        return;
      case 'warning':
        this.#stderrLine(`warning: ${event.message}`);
        return;
      case 'retry':
        // "waiting for <cluster>: …" says it all; a retry after an error is labelled as one.
        this.#stderrLine(event.message.startsWith('waiting for ') ? event.message : `retrying: ${event.message}`);
        return;
      case 'worker':
        this.#stderrLine(
          event.status === 'failed'
            ? `shard ${event.shard} failed: ${event.code ? `${event.code}: ` : ''}${event.message}`
            : `shard ${event.shard}: ${event.message}`,
        );
        return;
    }
  }

  /** A worker's metrics for its supervisor (--metrics-report): a JSON line, written in JSON mode only. */
  metrics(snapshot: unknown): void {
    if (this.json) this.#jsonLine({ type: 'metrics', metrics: snapshot });
  }

  /** The one error line on stderr (and, with --json, an error object on stdout). */
  error(line: string, data: Record<string, unknown>): void {
    this.finish();
    if (this.json) this.#jsonLine({ type: 'error', ...data });
    this.#streams.stderr.write(`${line}\n`);
  }

  /** Ends any progress bar; call before exiting. */
  finish(): void {
    this.#pauseProgress();
  }

  /** A line relayed from a worker keeps the time the worker gave it. */
  #jsonLine(value: object): void {
    this.#streams.stdout.write(`${toJsonLine({ time: new Date().toISOString(), ...value })}\n`);
  }

  #stderrLine(line: string): void {
    if (this.#progress) this.#progress.log(line);
    else this.#streams.stderr.write(`${line}\n`);
  }

  #progressView(): ProgressView {
    this.#progress ??= createProgressView(this.#streams.stderr);
    return this.#progress;
  }

  #pauseProgress(): void {
    this.#progress?.stop();
    this.#progress = null;
  }
}
