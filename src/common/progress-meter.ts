import type { EngineEvent } from './events.ts';
import type { MetricsSink } from './metrics-sink.ts';

/**
 * Counts records and bytes, and reports rate (over the last ~5 s) and ETA; a copy's and a verify's
 * also to a metrics sink.
 */
export class ProgressMeter {
  readonly #stage: 'plan' | 'copy' | 'verify';
  readonly #totalRecords: number;
  readonly #metrics: MetricsSink | undefined;
  readonly #samples: Array<{ at: number; records: number; bytes: number }> = [];
  records = 0;
  bytes = 0;

  constructor(stage: 'plan' | 'copy' | 'verify', totalRecords: number, alreadyDone = 0, metrics?: MetricsSink) {
    this.#stage = stage;
    this.#metrics = stage === 'plan' ? undefined : metrics;
    this.#totalRecords = totalRecords;
    this.records = alreadyDone;
  }

  /** `topic` and `partition`: the source partition they were done in (for the metrics). */
  add(records: number, bytes: number, topic?: string, partition?: number): void {
    this.records += records;
    this.bytes += bytes;
    this.#metrics?.progressed(this.#stage as 'copy' | 'verify', records, bytes, topic, partition);
  }

  /** `destinationThrottledMs`: a copy's time held back by the destination's throttling so far. */
  event(destinationThrottledMs?: number): EngineEvent {
    const now = performance.now();
    this.#samples.push({ at: now, records: this.records, bytes: this.bytes });
    while (this.#samples.length > 2 && now - this.#samples[0]!.at > 5000) this.#samples.shift();
    const first = this.#samples[0]!;
    const seconds = (now - first.at) / 1000;
    const ratePerSec = seconds > 0 ? (this.records - first.records) / seconds : 0;
    const bytesPerSec = seconds > 0 ? (this.bytes - first.bytes) / seconds : 0;
    const left = Math.max(0, this.#totalRecords - this.records);
    return {
      type: 'progress',
      stage: this.#stage,
      records: this.records,
      bytes: this.bytes,
      totalRecords: this.#totalRecords,
      ratePerSec,
      bytesPerSec,
      etaSeconds: ratePerSec > 0 ? left / ratePerSec : null,
      ...(destinationThrottledMs ? { destinationThrottledMs } : {}),
    };
  }
}
