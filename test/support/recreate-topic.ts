import { Admin } from '@platformatic/kafka';
import { cluster, createTopic } from './fixtures.ts';

/**
 * Deletes a topic and creates it again under the same name (a new topic id, offsets from 0), as
 * an operator would: waits (bounded) until the deletion is seen, and retries the creation while
 * the broker still reports the old topic.
 */
export async function recreateTopic(bootstrap: string, topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  const admin = new Admin({ clientId: 'kreroute-test', bootstrapBrokers: bootstrap.split(',') });
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.close();
  }
  const c = cluster(bootstrap);
  try {
    // Listed but no longer in the metadata (an error) is "still going": wait on.
    const stillThere = async () => (await c.topicLayouts([topic]).catch(() => null))?.has(topic) !== false;
    for (let i = 0; i < 100 && (await stillThere()); i++) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await c.close();
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await createTopic(bootstrap, topic, partitions, configs);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`could not recreate ${topic} within 10 s: ${lastError}`);
}
