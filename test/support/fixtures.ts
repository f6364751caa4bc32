import { KafkaCluster } from '../../src/kafka/client/cluster.ts';
import { IdempotentProducer } from '../../src/kafka/produce/idempotent-producer.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';

/** A connection to a test cluster ("host:port[,host:port…]"), closed by the caller. */
export function cluster(bootstrap: string, label = 'test'): KafkaCluster {
  return new KafkaCluster({ bootstrap: bootstrap.split(','), clientId: 'kreroute-test' }, label);
}

export async function createTopic(bootstrap: string, name: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  const c = cluster(bootstrap);
  try {
    await c.createTopic(name, partitions, new Map(Object.entries(configs)));
    // Wait (bounded) until every partition has a leader.
    for (let i = 0; i < Math.max(50, partitions / 5); i++) {
      const metadata = await c.metadata([name]);
      const topic = metadata.topics.get(name);
      if (topic && topic.partitions.length === partitions && topic.partitions.every((p) => p && p.leader >= 0)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`topic ${name} has no leaders after ${Math.max(5, partitions / 50)} s`);
  } finally {
    await c.close();
  }
}

/** Writes records to partitions in order: records[p] go to partition p, in batches of `batchSize`. */
export async function produce(bootstrap: string, topic: string, byPartition: Map<number, RecordContent[]>, batchSize = 500): Promise<bigint> {
  const c = cluster(bootstrap);
  try {
    const producer = await IdempotentProducer.create(c);
    const sends: Promise<unknown>[] = [];
    for (const [partition, records] of byPartition) {
      for (let i = 0; i < records.length; i += batchSize) sends.push(producer.send(topic, partition, records.slice(i, i + batchSize)));
    }
    await Promise.all(sends);
    return producer.identity.producerId;
  } finally {
    await c.close();
  }
}

export function record(
  key: string | Buffer | null,
  value: string | Buffer | null,
  options: { timestamp?: bigint; headers?: Array<[string | Buffer, string | Buffer | null]> } = {},
): RecordContent {
  const bytes = (v: string | Buffer | null): Buffer | null => (v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v));
  return {
    key: bytes(key),
    value: bytes(value),
    timestamp: options.timestamp ?? BigInt(Date.now()),
    headers: (options.headers ?? []).map(([k, v]) => [bytes(k)!, bytes(v)] as const),
  };
}
