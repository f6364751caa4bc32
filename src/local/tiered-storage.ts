import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { kafkaVersion } from './kafka-jars.ts';
import { cacheDir } from './paths.ts';

const run = promisify(execFile);
const MVN_TIMEOUT_MS = 5 * 60_000;

/** Kafka's own local-disk RemoteStorageManager, made for its tests (in the kafka-storage test jar). */
export const LOCAL_TIERED_STORAGE_CLASS = 'org.apache.kafka.server.log.remote.storage.LocalTieredStorage';

/**
 * The kafka-storage test jar of the pinned Kafka version, which holds LocalTieredStorage: fetched
 * with Maven on first use into its own cache folder (the broker's libs folder stays as it is).
 */
export async function ensureTieredStorageJar(options: { cacheDir?: string } = {}): Promise<string> {
  const version = await kafkaVersion();
  const dir = path.join(options.cacheDir ?? cacheDir(), `kafka-${version}-tiered-storage`);
  const jar = path.join(dir, `kafka-storage-${version}-test.jar`);
  if (existsSync(jar)) return jar;
  const partial = `${dir}.partial-${process.pid}`;
  await mkdir(partial, { recursive: true });
  try {
    await run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=org.apache.kafka:kafka-storage:${version}:jar:test`, `-DoutputDirectory=${partial}`], {
      timeout: MVN_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    if (!(await readdir(partial)).includes(path.basename(jar))) throw new Error(`mvn dependency:copy left no ${path.basename(jar)} in ${partial}`);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw new Error(`fetching the Kafka tiered storage test jar failed: ${(error as Error).message}`);
  }
  return jar;
}

export interface TieredStorageOptions {
  /** Where LocalTieredStorage keeps the "remote" segments. */
  storageDir: string;
  /** The listener the remote log metadata manager's clients use (the broker's own). */
  listenerName?: string;
  /**
   * How long a fetch waits for a remote read (`remote.fetch.max.wait.ms`, Kafka's default 500):
   * a read that takes longer is answered with no records for its partition.
   */
  remoteFetchMaxWaitMs?: number;
}

/**
 * Broker settings (see LocalClusterOptions.brokerConfig) that enable tiered storage with
 * LocalTieredStorage; topics opt in with `remote.storage.enable=true` and a short
 * `local.retention.ms`, and segments move to "remote" within about a second of being rolled.
 */
export function tieredStorageBrokerConfig(options: TieredStorageOptions): Record<string, string> {
  return {
    'remote.log.storage.system.enable': 'true',
    'remote.log.storage.manager.class.name': LOCAL_TIERED_STORAGE_CLASS,
    'remote.log.storage.manager.impl.prefix': 'rsm.config.',
    'rsm.config.dir': options.storageDir,
    'remote.log.metadata.manager.listener.name': options.listenerName ?? 'PLAINTEXT',
    'remote.log.metadata.manager.impl.prefix': 'rlmm.config.',
    'rlmm.config.remote.log.metadata.topic.replication.factor': '1',
    'rlmm.config.remote.log.metadata.topic.num.partitions': '1',
    'remote.log.manager.task.interval.ms': '500',
    'remote.fetch.max.wait.ms': String(options.remoteFetchMaxWaitMs ?? 500),
  };
}
