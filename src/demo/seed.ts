import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { IdempotentProducer } from '../kafka/produce/idempotent-producer.ts';
import type { RecordContent } from '../kafka/wire/record.ts';

const BATCH = 500;

/** Creates a topic and waits (bounded) until every partition has a leader. */
export async function createDemoTopic(cluster: KafkaCluster, name: string, partitions: number): Promise<void> {
  await cluster.createTopic(name, partitions, new Map());
  for (let attempt = 0; attempt < 100; attempt++) {
    const topic = (await cluster.metadata([name])).topics.get(name);
    if (topic && topic.partitions.length === partitions && topic.partitions.every((p) => p && p.leader >= 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new KrerouteError('KAFKA', `demo topic ${name} has no partition leaders after 10 s on ${cluster.label}`);
}

/** Writes each partition's records in order, in batches. */
export async function writeRecords(cluster: KafkaCluster, topic: string, byPartition: Map<number, RecordContent[]>): Promise<void> {
  const producer = await IdempotentProducer.create(cluster);
  const sends: Promise<unknown>[] = [];
  for (const [partition, records] of byPartition) {
    for (let i = 0; i < records.length; i += BATCH) sends.push(producer.send(topic, partition, records.slice(i, i + BATCH)));
  }
  await Promise.all(sends);
}
