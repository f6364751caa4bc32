import type { EngineEvent, EventSink, WarningCode } from '../../common/events.ts';
import { ProgressGate } from './progress-gate.ts';
import { type ProgressView, createProgressView } from './progress.ts';
import { quietLine, warningsIn } from './render-quiet.ts';

export interface OutputStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** bigint → decimal string, so every result can be written as JSON. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** --progress-interval's default on a terminal: a live bar. */
export const TERMINAL_PROGRESS_INTERVAL_MS = 1_000;
/** Its default for a log or a pipe (stderr not a terminal, or --json): 2,880 lines a day instead of 86,400. */
export const LOG_PROGRESS_INTERVAL_MS = 30_000;

export interface OutputOptions {
  json?: boolean | undefined;
  quiet?: boolean | undefined;
  /** How often progress is shown, in ms (0: never); default by where it goes (see above). */
  progressIntervalMs?: number | undefined;
}

/**
 * Where everything the CLI says goes. Text mode: results on stdout, progress and notes on stderr.
 * JSON mode (--json): one JSON object per line on stdout — events and results — and nothing else;
 * each has `time`, when it was written (ISO 8601, UTC); docs/json-output.schema.json describes them.
 * --quiet, text mode: errors and one line for the command's result (with the count of warnings
 * not shown); with --json it drops the progress events only.
 */
export class Output {
  json = false;
  quiet = false;
  readonly #streams: OutputStreams;
  #progress: ProgressView | null = null;
  #gate = new ProgressGate(TERMINAL_PROGRESS_INTERVAL_MS);
  /** --quiet, text mode: the result line written when the command ends, and the warnings not shown. */
  #quietResult: string | null = null;
  #quietWarnings = 0;

  constructor(streams: OutputStreams) {
    this.#streams = streams;
  }

  configure(options: OutputOptions): void {
    this.json = options.json === true;
    this.quiet = options.quiet === true;
    const fallback = this.json || !this.#streams.stderr.isTTY ? LOG_PROGRESS_INTERVAL_MS : TERMINAL_PROGRESS_INTERVAL_MS;
    this.#gate = new ProgressGate(this.quiet ? 0 : (options.progressIntervalMs ?? fallback));
  }

  /** A result: `lines` for people, `data` (with `kind`) for --json. */
  result(kind: string, data: Record<string, unknown>, lines: () => string[]): void {
    this.#flushProgress();
    if (this.json) {
      this.#jsonLine({ type: 'result', kind, ...data });
      return;
    }
    if (this.quiet) {
      this.#quietWarnings += warningsIn(kind, data);
      this.#quietResult = quietResultAfter(this.#quietResult, kind, quietLine(kind, data));
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
    if (this.quiet && !this.json) return;
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

  warn(code: WarningCode, message: string): void {
    this.event({ type: 'warning', code, message });
  }

  readonly events: EventSink = (event) => this.event(event);

  event(event: EngineEvent): void {
    if (event.type === 'progress') {
      for (const shown of this.#gate.offer(event)) this.#showProgress(shown);
      return;
    }
    if (event.type === 'stage') this.#flushProgress();
    if (this.json) {
      this.#jsonLine(event);
      return;
    }
    if (this.quiet) {
      if (event.type === 'warning') this.#quietWarnings++;
      // A failed shard is an error: said even with --quiet.
      if (!(event.type === 'worker' && event.status === 'failed')) return;
    }
    switch (event.type) {
      case 'stage':
        this.#pauseProgress();
        this.#stderrLine(`${event.stage}: ${event.message}`);
        return;
      case 'info':
        this.#stderrLine(event.message);
        return;
      case 'warning':
        this.#stderrLine(`warning [${event.code}]: ${event.message}`);
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

  /** Ends any progress bar and writes what waited for the end (--quiet's result line); call before exiting. */
  finish(): void {
    this.#flushProgress();
    this.#pauseProgress();
    if (this.#quietResult === null) return;
    const warnings = this.#quietWarnings;
    const unseen = warnings > 0 ? ` (${warnings === 1 ? '1 warning' : `${warnings} warnings`}: run without --quiet or with --json to see them)` : '';
    this.#streams.stdout.write(`${this.#quietResult}${unseen}\n`);
    this.#quietResult = null;
  }

  #showProgress(event: Extract<EngineEvent, { type: 'progress' }>): void {
    if (this.json) this.#jsonLine(event);
    else this.#progressView().update(event);
  }

  /** The progress report the gate held back: shown before the stage's next line, so the last one is never lost. */
  #flushProgress(): void {
    for (const shown of this.#gate.flush()) this.#showProgress(shown);
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

/** --quiet: the line of the latest result; reroute's stages make one line together. */
function quietResultAfter(previous: string | null, kind: string, line: string | null): string | null {
  if (line === null) return previous;
  if (kind !== 'reroute-stage') return line;
  const stage = line.replace(/\.$/, '');
  return previous?.startsWith('Reroute: ') ? `${previous}; ${stage}` : `Reroute: ${stage}`;
}
