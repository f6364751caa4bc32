import { describeProducersV0 } from '@platformatic/kafka';
import type { KafkaCluster } from '../client/cluster.ts';
import { protocolErrorIds, STALE_LEADER_ERRORS } from '../client/errors.ts';
import { withRetry } from '../client/retry.ts';

/**
 * How many records a producer has appended to a partition's leader log, as the leader's producer
 * state says (DescribeProducers, KIP-664: its last sequence + 1) — including records not yet
 * replicated and so not yet readable below the high watermark. null when the leader cannot say
 * (a broker before 2.8, or an error that outlasts a few retries).
 */
export async function recordsAppendedBy(cluster: KafkaCluster, topic: string, partition: number, producerId: bigint): Promise<number | null> {
  let refresh = false;
  try {
    return await withRetry(
      async () => {
        const { connection } = await cluster.leaderConnection(topic, partition, refresh);
        try {
          const response = await describeProducersV0.api.async(connection, [{ name: topic, partitionIndexes: [partition] }]);
          const state = response.topics[0]?.partitions.find((p) => p.partitionIndex === partition);
          const producer = state?.activeProducers.find((p) => p.producerId === producerId);
          return producer ? producer.lastSequence + 1 : 0;
        } catch (error) {
          if (protocolErrorIds(error).some((id) => STALE_LEADER_ERRORS.has(id))) refresh = true;
          throw error;
        }
      },
      { deadlineMs: 10_000, initialDelayMs: 200, maxDelayMs: 1_000 },
    );
  } catch {
    return null;
  }
}
