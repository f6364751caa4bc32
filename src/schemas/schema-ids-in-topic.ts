import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { scanRanges } from '../kafka/fetch/range-scanner.ts';
import { forEachStoredRecord } from '../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../kafka/wire/batch/record-cursor.ts';
import type { RecordContent, RecordHeader } from '../kafka/wire/record.ts';
import { schemaIdOf } from './wire-format.ts';

export interface PartitionRange {
  partition: number;
  start: bigint;
  end: bigint;
}

/** The schema ids found in a topic's keys and values, and how many of the records read were framed. */
export interface SchemaIdsFound {
  keyIds: number[];
  valueIds: number[];
  recordsRead: number;
  framedRecords: number;
}

/** What a sample reads of each partition per request: a whole batch still comes when it is larger. */
const SAMPLE_PARTITION_BYTES = 256 * 1024;

/**
 * Reads the ranges (each up to `perPartitionLimit` offsets when given: a sample; all otherwise) and
 * collects the schema ids of the Confluent wire format in the keys and values of the records that
 * `planned` accepts (the plan's filter; every record by default). Records are read in place from
 * their stored batches, all partitions at once: decoding whole batches (about 9,000 records of
 * 100 B in a batch of 1 MB) into record objects to look at the first 1,000 of each partition took
 * plan from 150 to 400 MB of memory.
 */
export async function schemaIdsInTopic(
  cluster: KafkaCluster,
  topic: string,
  ranges: PartitionRange[],
  perPartitionLimit?: number,
  planned: (record: Pick<RecordContent, 'key' | 'value' | 'headers'>) => boolean = () => true,
): Promise<SchemaIdsFound> {
  const keyIds = new Set<number>();
  const valueIds = new Set<number>();
  let recordsRead = 0;
  let framedRecords = 0;
  const scanned = ranges.flatMap((range) => {
    const end = perPartitionLimit === undefined || range.end - range.start <= BigInt(perPartitionLimit) ? range.end : range.start + BigInt(perPartitionLimit);
    return end > range.start ? [{ topic, partition: range.partition, from: range.start, end }] : [];
  });
  const walker = new RecordCursor(Buffer.alloc(0));
  const fields = new RecordCursor(Buffer.alloc(0));
  await scanRanges(
    cluster,
    scanned,
    {
      batch(_range, batch) {
        forEachStoredRecord(batch, walker, (at) => {
          // The key and value are views of the batch: looked at here, never kept.
          fields.buffer = batch.records;
          fields.position = at.tailStart;
          const key = fields.bytes();
          const value = fields.bytes();
          const headers: RecordHeader[] = [];
          for (let n = fields.varInt(); n > 0; n--) headers.push([fields.bytes() ?? Buffer.alloc(0), fields.bytes()]);
          if (!planned({ key, value, headers })) return;
          recordsRead++;
          const keyId = schemaIdOf(key);
          const valueId = schemaIdOf(value);
          if (keyId !== undefined) keyIds.add(keyId);
          if (valueId !== undefined) valueIds.add(valueId);
          if (keyId !== undefined || valueId !== undefined) framedRecords++;
        });
      },
    },
    { checkCrc: false, ...(perPartitionLimit !== undefined ? { partitionBytes: SAMPLE_PARTITION_BYTES } : {}) },
  );
  const sorted = (ids: Set<number>) => [...ids].sort((a, b) => a - b);
  return { keyIds: sorted(keyIds), valueIds: sorted(valueIds), recordsRead, framedRecords };
}
