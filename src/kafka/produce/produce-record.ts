import type { KafkaCluster } from '../client/cluster.ts';
import { PipelinedProducer } from './pipelined-producer.ts';
import { initProducerId } from '../client/producer-id.ts';
import type { RecordContent } from '../wire/record.ts';
import { encodeRecordBatch } from '../wire/batch/record-batch-encoder.ts';

/** Writes one record (acks=all, idempotent) with a producer of its own, for a write outside any copy. */
export async function produceRecord(cluster: KafkaCluster, topic: string, partition: number, record: RecordContent): Promise<void> {
  const producer = new PipelinedProducer(cluster, await initProducerId(cluster));
  try {
    await producer.send(topic, partition, encodeRecordBatch([record], { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false }), 1);
  } finally {
    producer.close();
  }
}
