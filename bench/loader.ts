import { type MessageToProduce, Producer } from '@platformatic/kafka';
import type { Profile } from './profiles.ts';
import type { RecordFactory } from './record-gen.ts';

/** One request carries about this much: a batch of up to ~900 KiB for each partition. */
const PER_PARTITION_BYTES = 900 * 1024;

/**
 * Writes the profile's records (from record `from` on: a topic can be grown in steps) into `topic` (record i to partition i % partitions) with an
 * idempotent producer (acks=all, no duplicates on a retry). Each send is one request holding a
 * large batch for every partition. A plain Kafka client, not kreroute's own code: the loader
 * must not change when kreroute does.
 */
export async function loadTopic(bootstrap: string, topic: string, profile: Profile, factory: RecordFactory, signal: AbortSignal, from = 0): Promise<void> {
  const producer = new Producer({ clientId: 'kreroute-bench-loader', bootstrapBrokers: [bootstrap], idempotent: true, acks: -1, retries: 5, timeout: 60_000 });
  try {
    const perSend = profile.partitions * Math.max(1, Math.floor(PER_PARTITION_BYTES / (factory.recordBytes + 30)));
    for (let start = from; start < profile.records; start += perSend) {
      if (signal.aborted) throw new Error(`loading ${topic} interrupted or timed out`);
      const messages: MessageToProduce[] = [];
      for (let i = start; i < Math.min(profile.records, start + perSend); i++) messages.push(factory.record(topic, i, profile.partitions));
      await producer.send({ messages }).catch((error: unknown) => {
        throw new Error(`loading ${topic}: writing records ${start}..${start + messages.length - 1} failed: ${describeError(error)}`);
      });
    }
  } finally {
    await producer.close().catch(() => undefined);
  }
}

/** The client library reports an AggregateError, one inner error per record: each distinct message once, with its count. */
function describeError(error: unknown): string {
  const leaves = new Map<string, number>();
  const walk = (e: unknown) => {
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.length > 0) inner.forEach(walk);
    else {
      const message = e instanceof Error ? e.message : String(e);
      leaves.set(message, (leaves.get(message) ?? 0) + 1);
    }
  };
  walk(error);
  const details = [...leaves].slice(0, 5).map(([message, count]) => (count > 1 ? `${message} (×${count})` : message));
  return `${error instanceof Error ? error.message : String(error)}: ${details.join('; ')}`;
}
