import type { EngineEvent } from '../common/events.ts';

type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>;

interface ShardProgress {
  records: number;
  bytes: number;
  ratePerSec: number;
  bytesPerSec: number;
}

/** One progress line over the whole plan from the workers' own: records, bytes and rates summed. */
export class CombinedProgress {
  readonly #totalRecords: number;
  readonly #shards = new Map<string, ShardProgress>();

  constructor(totalRecords: number) {
    this.#totalRecords = totalRecords;
  }

  get seen(): boolean {
    return this.#shards.size > 0;
  }

  update(shard: string, event: ProgressEvent): void {
    this.#shards.set(shard, { records: event.records, bytes: event.bytes, ratePerSec: event.ratePerSec, bytesPerSec: event.bytesPerSec });
  }

  /** A shard that ended: it moves no more; `records` is all it holds when it was complete before this run. */
  finished(shard: string, records?: number): void {
    const last = this.#shards.get(shard) ?? { records: 0, bytes: 0, ratePerSec: 0, bytesPerSec: 0 };
    this.#shards.set(shard, { ...last, records: records ?? last.records, ratePerSec: 0, bytesPerSec: 0 });
  }

  event(): ProgressEvent {
    let records = 0;
    let bytes = 0;
    let ratePerSec = 0;
    let bytesPerSec = 0;
    for (const shard of this.#shards.values()) {
      records += shard.records;
      bytes += shard.bytes;
      ratePerSec += shard.ratePerSec;
      bytesPerSec += shard.bytesPerSec;
    }
    const left = Math.max(0, this.#totalRecords - records);
    return {
      type: 'progress',
      stage: 'copy',
      records,
      bytes,
      totalRecords: this.#totalRecords,
      ratePerSec,
      bytesPerSec,
      etaSeconds: ratePerSec > 0 ? left / ratePerSec : null,
    };
  }
}
