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
 * Counts what a range really holds. With `sampleBytes` it stops after that much (an estimate for
 * plans without --exact); otherwise it reads the whole range.
 */
export async function scanRange(
  cluster: KafkaCluster,
  topic: string,
  partition: number,
  start: bigint,
  end: bigint,
  filter: RecordFilter,
  options: { sampleBytes?: number; onRecords?: (count: number, bytes: number) => void } = {},
): Promise<RangeScan> {
  const scan: RangeScan = { records: 0, bytes: 0, largestRecordBytes: 0, otherRecords: 0, minTimestamp: null, maxTimestamp: null, seen: 0 };
  let min: bigint | null = null;
  let max: bigint | null = null;
  const fetch = { maxBytes: options.sampleBytes ?? 8 * 1024 * 1024, maxWaitMs: 200, readCommitted: true };
  for await (const chunk of readRange(cluster, topic, partition, start, end, fetch)) {
    let chunkBytes = 0;
    for (const record of chunk.records) {
      scan.seen++;
      if (!filter(record)) {
        scan.otherRecords++;
        continue;
      }
      const bytes = recordBytes(record);
      chunkBytes += bytes;
      scan.records++;
      scan.bytes += bytes;
      scan.largestRecordBytes = Math.max(scan.largestRecordBytes, encodedRecordSize(record));
      if (min === null || record.timestamp < min) min = record.timestamp;
      if (max === null || record.timestamp > max) max = record.timestamp;
    }
    options.onRecords?.(chunk.records.length, chunkBytes);
    if (options.sampleBytes !== undefined) break;
  }
  scan.minTimestamp = min === null ? null : String(min);
  scan.maxTimestamp = max === null ? null : String(max);
  return scan;
}
