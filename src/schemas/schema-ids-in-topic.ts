import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { readRange } from '../kafka/fetch/range-reader.ts';
import type { FetchedRecord } from '../kafka/wire/record.ts';
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

/**
 * Reads the ranges (each up to `perPartitionLimit` offsets when given: a sample; all otherwise) and
 * collects the schema ids of the Confluent wire format in the keys and values of the records that
 * `planned` accepts (the plan's filter; every record by default).
 */
export async function schemaIdsInTopic(
  cluster: KafkaCluster,
  topic: string,
  ranges: PartitionRange[],
  perPartitionLimit?: number,
  planned: (record: FetchedRecord) => boolean = () => true,
): Promise<SchemaIdsFound> {
  const keyIds = new Set<number>();
  const valueIds = new Set<number>();
  let recordsRead = 0;
  let framedRecords = 0;
  for (const range of ranges) {
    const end = perPartitionLimit === undefined || range.end - range.start <= BigInt(perPartitionLimit) ? range.end : range.start + BigInt(perPartitionLimit);
    if (end <= range.start) continue;
    for await (const chunk of readRange(cluster, topic, range.partition, range.start, end)) {
      for (const record of chunk.records) {
        if (!planned(record)) continue;
        recordsRead++;
        const keyId = schemaIdOf(record.key);
        const valueId = schemaIdOf(record.value);
        if (keyId !== undefined) keyIds.add(keyId);
        if (valueId !== undefined) valueIds.add(valueId);
        if (keyId !== undefined || valueId !== undefined) framedRecords++;
      }
    }
  }
  const sorted = (ids: Set<number>) => [...ids].sort((a, b) => a - b);
  return { keyIds: sorted(keyIds), valueIds: sorted(valueIds), recordsRead, framedRecords };
}
