import { compressionsAlgorithms } from '@platformatic/kafka';
import { BATCH } from '../../src/kafka/wire/batch/batch-header.ts';
import { IdempotentProducer } from '../../src/kafka/produce/idempotent-producer.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';
import { encodeRecordBatch } from '../../src/kafka/wire/batch/record-batch-encoder.ts';
import { cluster } from './fixtures.ts';

/** How a producer compresses its batches; the value is the batch's compression attribute. */
export const CODECS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type Codec = keyof typeof CODECS;

/**
 * One v2 batch of `records` as a producer with compression.type=`codec` sends it: the records
 * section compressed, the attributes saying how (the producer stamps id, sequence and CRC later).
 */
export function producerBatch(records: RecordContent[], codec: Codec): Buffer {
  const plain = encodeRecordBatch(records, { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false }, { crc: false });
  if (codec === 'none') return plain;
  const payload = compressionsAlgorithms[codec].compressSync(plain.subarray(BATCH.records));
  const bytes = Buffer.concat([plain.subarray(0, BATCH.records), payload]);
  bytes.writeInt32BE(bytes.length - 12, BATCH.length);
  bytes.writeInt16BE(CODECS[codec], BATCH.attributes);
  return bytes;
}

/**
 * Writes records[p] to partition p in order, `batchSize` records per batch, each batch compressed
 * by the producer with `codec` (a topic left at compression.type=producer stores them as sent).
 * One idempotent producer for all; returns its producer id.
 */
export async function produceBatches(
  bootstrap: string,
  topic: string,
  byPartition: Map<number, RecordContent[]>,
  options: { batchSize: number; codec: Codec },
): Promise<bigint> {
  const c = cluster(bootstrap);
  try {
    const producer = await IdempotentProducer.create(c);
    try {
      const sends: Promise<unknown>[] = [];
      for (const [partition, records] of byPartition) {
        for (let i = 0; i < records.length; i += options.batchSize) {
          const slice = records.slice(i, i + options.batchSize);
          sends.push(producer.pipeline.send(topic, partition, producerBatch(slice, options.codec), slice.length));
        }
      }
      await Promise.all(sends);
      return producer.identity.producerId;
    } finally {
      producer.close();
    }
  } finally {
    await c.close();
  }
}
