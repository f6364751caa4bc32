import type { EngineEvent } from '../../common/events.ts';

type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>;

/** The engine's one-second timer drifts by a few ms: a report a hair early is not held back a whole tick. */
const TIMER_SLACK_MS = 100;

/**
 * How often progress is shown (--progress-interval): the engine reports each second; the first
 * report of a stage passes, then at most one per interval. The latest report held back is kept and
 * shown when the stage ends (`flush`), so the last word of a stage is never lost. 0: none at all.
 */
export class ProgressGate {
  readonly intervalMs: number;
  readonly #now: () => number;
  #stage: string | null = null;
  #lastShown = Number.NEGATIVE_INFINITY;
  #pending: ProgressEvent | null = null;

  constructor(intervalMs: number, now: () => number = Date.now) {
    this.intervalMs = intervalMs;
    this.#now = now;
  }

  /** The progress events to show now, in order (a held-back one of the stage before first). */
  offer(event: ProgressEvent): ProgressEvent[] {
    if (this.intervalMs === 0) return [];
    const shown: ProgressEvent[] = [];
    if (this.#stage !== event.stage) {
      shown.push(...this.flush());
      this.#stage = event.stage;
      this.#lastShown = Number.NEGATIVE_INFINITY;
    }
    if (this.#now() - this.#lastShown >= this.intervalMs - TIMER_SLACK_MS) {
      this.#pending = null;
      this.#lastShown = this.#now();
      shown.push(event);
    } else {
      this.#pending = event;
    }
    return shown;
  }

  /** The report held back, if any: to show before a stage's next line (its result, the next stage, an error). */
  flush(): ProgressEvent[] {
    const pending = this.#pending;
    if (pending === null) return [];
    this.#pending = null;
    this.#lastShown = this.#now();
    return [pending];
  }
}
