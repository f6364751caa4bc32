import type { KafkaCluster } from '../kafka/cluster.ts';
import { readRange } from '../kafka/range-reader.ts';
import { encodedRecordSize } from '../kafka/record-batch-encoder.ts';
import { recordBytes } from '../verify/record-digest.ts';
import type { ExactCount } from './plan.ts';
import type { RecordFilter } from './record-filter.ts';

export interface RangeScan extends ExactCount {
  /** Records looked at (matching or not). */
  seen: number;
}

/**
 * A first look at a range: what its first `sampleBytes` hold, decoded (plan's estimate without
 * --exact, and the oldest timestamps its checks need first). countRanges reads whole ranges.
 */
export async function sampleRange(
  cluster: KafkaCluster,
  topic: string,
  partition: number,
  start: bigint,
  end: bigint,
  filter: RecordFilter,
  sampleBytes: number,
): Promise<RangeScan> {
  const scan: RangeScan = { records: 0, bytes: 0, largestRecordBytes: 0, otherRecords: 0, minTimestamp: null, maxTimestamp: null, seen: 0 };
  let min: bigint | null = null;
  let max: bigint | null = null;
  const fetch = { maxBytes: sampleBytes, maxWaitMs: 200, readCommitted: true };
  for await (const chunk of readRange(cluster, topic, partition, start, end, fetch)) {
    for (const record of chunk.records) {
      scan.seen++;
      if (!filter(record)) {
        scan.otherRecords++;
        continue;
      }
      const bytes = recordBytes(record);
      scan.records++;
      scan.bytes += bytes;
      scan.largestRecordBytes = Math.max(scan.largestRecordBytes, encodedRecordSize(record));
      if (min === null || record.timestamp < min) min = record.timestamp;
      if (max === null || record.timestamp > max) max = record.timestamp;
    }
    break;
  }
  scan.minTimestamp = min === null ? null : String(min);
  scan.maxTimestamp = max === null ? null : String(max);
  return scan;
}
