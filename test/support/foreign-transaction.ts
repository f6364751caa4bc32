import type { TestContext } from 'node:test';
import { Producer } from '@platformatic/kafka';
import { uniqueName } from './clusters.ts';

/**
 * Another producer's transaction, left open on `topic[partition]` of the cluster at `bootstrap`
 * (its timeout, 300 s, far above the waits under test and within the broker's
 * transaction.max.timeout.ms of 15 min): it holds the partition's last stable offset. Call abort()
 * to end it; the producer closes after the test.
 */
export async function openForeignTransaction(t: TestContext, bootstrap: string, topic: string, partition = 0): Promise<{ abort(): Promise<unknown> }> {
  const foreign = new Producer({
    clientId: uniqueName('foreign'),
    bootstrapBrokers: [bootstrap],
    transactionalId: uniqueName('foreign'),
    idempotent: true,
    timeout: 300_000,
  });
  t.after(() => foreign.close());
  const transaction = await foreign.beginTransaction();
  await transaction.send({ messages: [{ topic, partition, key: Buffer.from('foreign'), value: Buffer.from('open') }] });
  return transaction;
}
