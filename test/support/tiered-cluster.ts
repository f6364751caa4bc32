import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalCluster, startLocalCluster } from '../../src/local/local-cluster.ts';
import { ensureTieredStorageJar, tieredStorageBrokerConfig } from '../../src/local/tiered-storage.ts';

export interface TieredCluster {
  cluster: LocalCluster;
  stop(): Promise<void>;
}

/**
 * A single-node cluster of the test's own with tiered storage (Kafka's LocalTieredStorage):
 * `remoteFetchMaxWaitMs` is how long a fetch waits for a remote read before it answers without records.
 */
export async function startTieredCluster(
  name: string,
  options: { remoteFetchMaxWaitMs?: number; brokerConfig?: Record<string, string> } = {},
): Promise<TieredCluster> {
  const jar = await ensureTieredStorageJar();
  const dataDir = await mkdtemp(join(tmpdir(), `kreroute-${name}-data-`));
  const storageDir = await mkdtemp(join(tmpdir(), `kreroute-${name}-remote-`));
  const cluster = await startLocalCluster({
    name,
    dataDir,
    extraClasspath: [jar],
    startTimeoutMs: 120_000,
    brokerConfig: {
      ...tieredStorageBrokerConfig({ storageDir, ...(options.remoteFetchMaxWaitMs ? { remoteFetchMaxWaitMs: options.remoteFetchMaxWaitMs } : {}) }),
      ...options.brokerConfig,
    },
  });
  return {
    cluster,
    stop: async () => {
      await cluster.stop();
      await Promise.all([dataDir, storageDir].map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** Topic configs that move every rolled segment to remote storage and drop it locally soon after. */
export const TIERED_TOPIC = { 'remote.storage.enable': 'true', 'local.retention.ms': '1000', 'segment.bytes': '1048576' } as const;
