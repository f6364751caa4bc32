import { initProducerIdV4 } from '@platformatic/kafka';
import type { KafkaCluster } from './cluster.ts';
import { libraryApiVersions, requireApiVersion } from '../net/api-versions.ts';
import { toKrerouteError } from './errors.ts';
import { clusterRetry, withRetry } from './retry.ts';

const INIT_PRODUCER_ID_API_KEY = 22;

export interface ProducerIdentity {
  producerId: bigint;
  producerEpoch: number;
}

/** A fresh producer id and epoch from the destination (InitProducerId without a transactional id), from any live broker. */
export async function initProducerId(cluster: KafkaCluster): Promise<ProducerIdentity> {
  const response = await withRetry(async () => {
    const connection = await cluster.anyConnection();
    requireApiVersion(await libraryApiVersions(connection), INIT_PRODUCER_ID_API_KEY, 4, `of ${cluster.label}`);
    return initProducerIdV4.api.async(connection, null, 60_000, -1n, -1);
  }, clusterRetry(cluster.settings)).catch((error: unknown) => {
    throw toKrerouteError(error, `getting a producer id from ${cluster.label}`);
  });
  return { producerId: response.producerId, producerEpoch: response.producerEpoch };
}
