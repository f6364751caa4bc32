import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { readRange } from '../kafka/fetch/range-reader.ts';
import type { FetchedRecord } from '../kafka/wire/record.ts';
import type { PlanPartition } from '../plan/plan.ts';
import type { RecordFilter } from '../plan/filter/record-filter.ts';
import type { ProgressMeter } from '../common/progress-meter.ts';
import { recordBytes, recordDigest } from './record-digest.ts';
import type { DestinationAnchors, RecordAnchor } from './report.ts';

const FETCH = { maxBytes: 8 * 1024 * 1024, maxWaitMs: 200, readCommitted: true };

/** What reading a source range counts: other tenants' records, and progress (matching records). */
export interface SourceTally {
  other: number;
  /** null: not counted (a second pass over what was counted). */
  meter: ProgressMeter | null;
}

export async function* matching(
  cluster: KafkaCluster,
  topic: string,
  planned: PlanPartition,
  filter: RecordFilter,
  tally: SourceTally,
): AsyncGenerator<FetchedRecord[]> {
  for await (const chunk of readRange(cluster, topic, planned.partition, BigInt(planned.start), BigInt(planned.end), FETCH)) {
    const kept: FetchedRecord[] = [];
    let bytes = 0;
    for (const record of chunk.records) {
      if (!filter(record)) {
        tally.other++;
        continue;
      }
      bytes += recordBytes(record);
      kept.push(record);
    }
    tally.meter?.add(kept.length, bytes);
    if (kept.length > 0) yield kept;
  }
}

export interface OwnTally {
  foreign: number;
  first: RecordAnchor | null;
  last: RecordAnchor | null;
}

export const anchorOf = (record: FetchedRecord): RecordAnchor => ({ offset: String(record.offset), digest: recordDigest(record).toString('hex') });

export function anchorsOf(tally: OwnTally): DestinationAnchors | null {
  return tally.first && tally.last ? { first: tally.first, last: tally.last } : null;
}

export async function* ownRecords(
  cluster: KafkaCluster,
  topic: string,
  partition: number,
  window: { from: bigint; to: bigint },
  ours: Set<bigint>,
  tally: OwnTally,
): AsyncGenerator<FetchedRecord[]> {
  for await (const chunk of readRange(cluster, topic, partition, window.from, window.to, FETCH)) {
    const own: FetchedRecord[] = [];
    for (const record of chunk.records) {
      if (ours.has(record.producerId)) own.push(record);
      else tally.foreign++;
    }
    if (own.length === 0) continue;
    tally.first ??= anchorOf(own[0]!);
    tally.last = anchorOf(own[own.length - 1]!);
    yield own;
  }
}
