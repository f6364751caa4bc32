import type { EngineEvent } from '../events.ts';

/** Counts records and bytes, and reports rate (over the last ~5 s) and ETA. */
export class ProgressMeter {
  readonly #stage: 'plan' | 'copy' | 'verify';
  readonly #totalRecords: number;
  readonly #samples: Array<{ at: number; records: number; bytes: number }> = [];
  records = 0;
  bytes = 0;

  constructor(stage: 'plan' | 'copy' | 'verify', totalRecords: number, alreadyDone = 0) {
    this.#stage = stage;
    this.#totalRecords = totalRecords;
    this.records = alreadyDone;
  }

  add(records: number, bytes: number): void {
    this.records += records;
    this.bytes += bytes;
  }

  event(): EngineEvent {
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
    };
  }
}
