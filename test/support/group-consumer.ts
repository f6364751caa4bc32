import { Consumer } from '@platformatic/kafka';

export interface Consumed {
  partition: number;
  offset: bigint;
  key: string;
}

const sleep = (ms: number) => new Promise<'idle'>((resolve) => setTimeout(() => resolve('idle'), ms));

/** A real consumer group member (@platformatic/kafka's Consumer), closed by the caller. */
export function groupMember(bootstrap: string, group: string): Consumer {
  return new Consumer({ groupId: group, clientId: 'kreroute-test', bootstrapBrokers: bootstrap.split(','), sessionTimeout: 10_000, heartbeatInterval: 500 });
}

/**
 * Consumes `topic` as a member of `group` from its committed offsets (earliest where it has none),
 * committing each message it takes (all, or those `take` accepts: a partition's later messages
 * are then left for whoever continues), until `enough` says so or no message came for `idleMs`
 * after the first; then leaves the group. What it took is exactly what it committed.
 */
export async function consumeAsGroup(
  bootstrap: string,
  group: string,
  topic: string,
  options: { enough?: (taken: Consumed[]) => boolean; take?: (message: Consumed, taken: Consumed[]) => boolean; idleMs?: number; timeoutMs?: number } = {},
): Promise<Consumed[]> {
  const consumer = groupMember(bootstrap, group);
  const taken: Consumed[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: 200 });
    const messages = stream[Symbol.asyncIterator]();
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    try {
      while (Date.now() < deadline && !options.enough?.(taken)) {
        const next = await Promise.race([messages.next(), sleep(taken.length === 0 ? 20_000 : (options.idleMs ?? 4_000))]);
        if (next === 'idle' || next.done) break;
        const message = next.value;
        const consumed = { partition: message.partition, offset: message.offset, key: message.key.toString() };
        if (options.take && !options.take(consumed, taken)) continue;
        await message.commit();
        taken.push(consumed);
      }
    } finally {
      await stream.close();
    }
  } finally {
    await consumer.close();
  }
  return taken;
}
