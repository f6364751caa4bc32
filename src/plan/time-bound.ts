import { BATCH } from '../kafka/wire/batch/batch-header.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { forEachStoredRecord } from '../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../kafka/wire/batch/record-cursor.ts';
import { type ScanRange, scanRanges } from '../kafka/fetch/range-scanner.ts';

interface Bound extends ScanRange {
  found: bigint | null;
}

/**
 * Where a time bound lies in each partition: the first committed record at or after `ms`.
 * ListOffsets by timestamp answers with the first offset whose timestamp is at or after `ms`, and
 * counts transaction markers, which the broker stamps with the commit time: over records stamped
 * before they were committed (event times, a replay, a long transaction) it can answer a marker
 * long before the first such record. So from its answer the log is read on, batch headers first,
 * to the first committed record at or after `ms` (`stableEnd` when there is none): usually the
 * record it answered, found in the first fetch.
 */
export async function firstRecordsAtOrAfter(
  cluster: KafkaCluster,
  topic: string,
  lookedUp: Map<number, bigint>,
  stableEnd: Map<number, bigint>,
  ms: bigint,
): Promise<Map<number, bigint>> {
  const bounds: Bound[] = [...lookedUp].map(([partition, offset]) => ({
    topic,
    partition,
    from: offset,
    end: stableEnd.get(partition) ?? offset,
    found: null,
  }));
  const time = Number(ms);
  const cursor = new RecordCursor(Buffer.alloc(0));
  await scanRanges(
    cluster,
    bounds,
    {
      batch(bound, batch) {
        // Every record of a batch is older than its max timestamp (LogAppendTime: all carry it).
        if (Number(batch.view.bytes.readBigInt64BE(BATCH.maxTimestamp)) < time) return;
        forEachStoredRecord(batch, cursor, (at) => {
          if (bound.found === null && at.timestamp >= time) bound.found = batch.view.baseOffset + BigInt(at.offsetDelta);
        });
        return bound.found === null ? undefined : 'stop';
      },
    },
    { checkCrc: false, fetchBytes: 4 * 1024 * 1024 },
  );
  return new Map(bounds.map((b) => [b.partition, b.found ?? b.end]));
}
