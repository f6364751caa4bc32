import cliProgress from 'cli-progress';
import type { EngineEvent } from '../../common/events.ts';
import { bytes, count, duration, rate } from './format.ts';

type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>;

/** Shows progress on stderr and lets other stderr lines pass without garbling it. */
export interface ProgressView {
  update(event: ProgressEvent): void;
  /** Writes a whole line to stderr (above the bar, when there is one). */
  log(line: string): void;
  stop(): void;
}

export function createProgressView(stream: NodeJS.WriteStream): ProgressView {
  return stream.isTTY ? new BarView(stream) : new LineView(stream);
}

function describe(event: ProgressEvent): string {
  const total = event.totalRecords > 0 ? `/${count(event.totalRecords)}` : '';
  const percent = event.totalRecords > 0 ? ` (${Math.min(100, (100 * event.records) / event.totalRecords).toFixed(1)}%)` : '';
  const eta = event.etaSeconds === null ? '' : `, ETA ${duration(event.etaSeconds)}`;
  const speed = event.ratePerSec > 0 ? `, ${rate(event.ratePerSec, 'msg')}, ${bytes(event.bytesPerSec)}/s` : '';
  return `${event.stage}: ${count(event.records)}${total} messages${percent}, ${bytes(event.bytes)}${speed}${eta}${throttledNote(event)}`;
}

/** A destination quota's throttling (its throttle_time_ms), when there was any. */
function throttledNote(event: ProgressEvent): string {
  return event.destinationThrottledMs ? `, throttled by the destination: ${duration(event.destinationThrottledMs / 1000)} so far` : '';
}

/** For logs and pipes: one plain line per report (the Output's gate decides how often). */
class LineView implements ProgressView {
  readonly #stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  update(event: ProgressEvent): void {
    this.#stream.write(`${describe(event)}\n`);
  }

  log(line: string): void {
    this.#stream.write(`${line}\n`);
  }

  stop(): void {}
}

/** For a terminal: a live bar with messages, MB, rate and ETA. */
class BarView implements ProgressView {
  readonly #stream: NodeJS.WriteStream;
  #bars: cliProgress.MultiBar | null = null;
  #bar: cliProgress.SingleBar | null = null;
  #stage: string | null = null;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  update(event: ProgressEvent): void {
    if (this.#stage !== event.stage) {
      this.stop();
      this.#stage = event.stage;
      this.#bars = new cliProgress.MultiBar(
        {
          stream: this.#stream,
          format: '{stage} [{bar}] {percentage}% {done}/{all} msgs {mb} {rate} ETA {etaText}{throttled}',
          // Leave about 68 columns for the numbers; cli-progress cuts what does not fit.
          barsize: Math.max(10, Math.min(30, (this.#stream.columns ?? 80) - 68)),
          hideCursor: true,
          clearOnComplete: false,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#bar = this.#bars.create(1, 0, this.#payload(event));
    }
    const total = Math.max(event.totalRecords, event.records, 1);
    this.#bar?.setTotal(total);
    this.#bar?.update(event.records, this.#payload(event));
  }

  #payload(event: ProgressEvent): Record<string, string> {
    return {
      stage: event.stage,
      done: count(event.records),
      all: event.totalRecords > 0 ? count(event.totalRecords) : '?',
      mb: bytes(event.bytes),
      rate: `${rate(event.ratePerSec, 'msg')} ${bytes(event.bytesPerSec)}/s`,
      etaText: event.etaSeconds === null ? '?' : duration(event.etaSeconds),
      throttled: throttledNote(event),
    };
  }

  log(line: string): void {
    if (this.#bars) this.#bars.log(`${line}\n`);
    else this.#stream.write(`${line}\n`);
  }

  stop(): void {
    this.#bars?.stop();
    this.#bars = null;
    this.#bar = null;
    this.#stage = null;
  }
}
