import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { fetchPartition } from '../../kafka/fetch/fetch.ts';
import { refOf } from '../record-ref.ts';
import type { DuplicateExample, Duplicates, PartitionVerdict } from '../report.ts';

/** A duplicated record as the spill comparison found it, before it is read again to be named. */
export interface DuplicateCandidate {
  sourcePartition: number;
  sourceOffset: bigint;
  planned: number;
  copies: number;
  otherCopiesAt: bigint[];
}

/** The candidates' source records read again (one fetch each: only the examples) for their keys and timestamps. */
export async function nameDuplicates(source: KafkaCluster, topic: string, candidates: DuplicateCandidate[]): Promise<DuplicateExample[]> {
  const named: DuplicateExample[] = [];
  for (const c of candidates) {
    const fetched = await fetchPartition(source, topic, c.sourcePartition, c.sourceOffset, { maxBytes: 1024 * 1024, maxWaitMs: 100, readCommitted: true });
    const record = fetched.records.find((r) => r.offset === c.sourceOffset);
    const ref = record
      ? refOf(topic, c.sourcePartition, record)
      : { topic, partition: c.sourcePartition, offset: String(c.sourceOffset), key: null, timestamp: '-1' };
    named.push({ source: ref, planned: c.planned, copies: c.copies, otherCopiesAt: c.otherCopiesAt.map(String) });
  }
  return named;
}

/** A verdict with what the duplicate search found: a planned record present more often than planned fails it. */
export function withDuplicates(verdict: PartitionVerdict, duplicates: Duplicates | undefined): PartitionVerdict {
  if (!duplicates) return verdict;
  return { ...verdict, duplicates, passed: verdict.passed && duplicates.records === 0 };
}
