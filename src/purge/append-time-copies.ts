import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { type StoredBatch, forEachStoredRecord } from '../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../kafka/wire/batch/record-cursor.ts';
import type { Plan } from '../plan/plan.ts';
import { compileRawFilter } from '../plan/filter/raw-record-filter.ts';
import { type ScanRange, scanRanges } from '../kafka/fetch/range-scanner.ts';
import type { KeyHash } from '../verify/keyed-key-hash.ts';
import { RecordTracer } from '../verify/record-trace.ts';

/** Records after verify that a purge keeps in memory to compare with the planned ones; past it, it refuses as before. */
export const MAX_TRACED_ARRIVALS = 500_000;

/** Records that reached one destination partition after verify, by trace (key, value, headers: no timestamp). */
export interface Arrivals {
  topic: string;
  partition: number;
  /** The partition's records after verify that are copies of planned records (after findPlannedAmong). */
  copies: number;
  firstCopy: bigint | null;
  lastCopy: bigint | null;
}

interface Traced {
  arrivals: Arrivals;
  count: number;
  first: bigint;
  last: bigint;
  found: boolean;
}

/**
 * Where the destination stamps the append time, a record's timestamp says nothing of where it came
 * from, so a record after verify is compared by content: traced (see RecordTracer) without its
 * timestamp, and looked for among the planned records, read from the source. A record with the
 * key, value and headers of a planned record counts as a copy, wherever on the topic it lies.
 */
export class AppendTimeArrivals {
  readonly #tracer = new RecordTracer('all-but-timestamp');
  readonly #hash: KeyHash = { lo: 0, hi: 0 };
  readonly #cursor = new RecordCursor(Buffer.alloc(0));
  /** Per destination topic: traced records after verify. */
  readonly #byTopic = new Map<string, Map<string, Traced[]>>();
  #traced = 0;

  /** False once more records came than are kept (MAX_TRACED_ARRIVALS): nothing is proven then. */
  get complete(): boolean {
    return this.#traced <= MAX_TRACED_ARRIVALS;
  }

  add(arrivals: Arrivals, batch: StoredBatch): void {
    let traces = this.#byTopic.get(arrivals.topic);
    if (!traces) this.#byTopic.set(arrivals.topic, (traces = new Map()));
    forEachStoredRecord(batch, this.#cursor, (at) => {
      if (++this.#traced > MAX_TRACED_ARRIVALS) return;
      const offset = batch.view.baseOffset + BigInt(at.offsetDelta);
      const key = this.#key(batch.records, at.tailStart, at.end);
      const hits = traces.get(key) ?? [];
      const hit = hits.find((h) => h.arrivals === arrivals);
      if (hit) {
        hit.count++;
        hit.last = offset;
      } else {
        hits.push({ arrivals, count: 1, first: offset, last: offset, found: false });
        traces.set(key, hits);
      }
    });
  }

  /** Reads the planned records of the destination topics that received any and counts their copies into their Arrivals. */
  async findPlannedAmong(source: KafkaCluster, plan: Plan): Promise<void> {
    const filter = plan.filter === null ? null : compileRawFilter(plan.filter);
    const ranges: Array<ScanRange & { traces: Map<string, Traced[]> }> = plan.topics.flatMap((topic) => {
      const traces = this.#byTopic.get(topic.destination);
      return traces ? topic.partitions.map((p) => ({ topic: topic.source, partition: p.partition, from: BigInt(p.start), end: BigInt(p.end), traces })) : [];
    });
    const cursor = new RecordCursor(Buffer.alloc(0));
    await scanRanges(
      source,
      ranges,
      {
        batch: (range, batch) => {
          forEachStoredRecord(batch, cursor, (at) => {
            if (filter !== null && !filter(batch.records, at.tailStart)) return;
            for (const hit of range.traces.get(this.#key(batch.records, at.tailStart, at.end)) ?? []) {
              if (hit.found) continue;
              hit.found = true;
              const arrivals = hit.arrivals;
              arrivals.copies += hit.count;
              if (arrivals.firstCopy === null || hit.first < arrivals.firstCopy) arrivals.firstCopy = hit.first;
              if (arrivals.lastCopy === null || hit.last > arrivals.lastCopy) arrivals.lastCopy = hit.last;
            }
          });
        },
      },
      { checkCrc: false },
    );
  }

  #key(records: Buffer, tailStart: number, end: number): string {
    const hash = this.#tracer.of(records, tailStart, end, 0, this.#hash);
    return `${hash.hi.toString(36)}:${hash.lo.toString(36)}`;
  }
}
