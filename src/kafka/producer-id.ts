import { initProducerIdV4 } from '@platformatic/kafka';
import type { KafkaCluster } from './cluster.ts';
import { toKrerouteError } from './errors.ts';
import { DEFAULT_RETRY, withRetry } from './retry.ts';

export interface ProducerIdentity {
  producerId: bigint;
  producerEpoch: number;
}

/** A fresh producer id and epoch from the destination (InitProducerId without a transactional id). */
export async function initProducerId(cluster: KafkaCluster): Promise<ProducerIdentity> {
  const response = await withRetry(async () => initProducerIdV4.api.async(await cluster.anyConnection(), null, 60_000, -1n, -1), DEFAULT_RETRY).catch(
    (error: unknown) => {
      throw toKrerouteError(error, `getting a producer id from ${cluster.label}`);
    },
  );
  return { producerId: response.producerId, producerEpoch: response.producerEpoch };
}
