import { readFile, rm } from 'node:fs/promises';
import { type LocalCluster, type LocalClusterOptions, startLocalCluster } from '../src/local/local-cluster.ts';
import { readStat } from './proc.ts';
import { BenchTopics } from './topics.ts';
import { type SaslSslAccess, benchScramListeners, saslSslAccess } from './sasl-ssl.ts';

/** Heap for each broker (Kafka's own start script uses 1 GiB). */
export const BROKER_HEAP = '1g';

export interface BenchCluster {
  local: LocalCluster;
  topics: BenchTopics;
  /** With `saslSsl`: how copies reach the broker's SASL_SSL listener. */
  saslSsl?: SaslSslAccess;
}

/** Starts the source and the destination broker side by side; with `saslSsl`, each also gets a SASL_SSL listener (SCRAM). */
export async function startClusters(libsDir: string, saslSsl = false): Promise<{ source: BenchCluster; destination: BenchCluster }> {
  const scram = saslSsl ? await benchScramListeners() : undefined;
  const start = async (name: string): Promise<BenchCluster> => {
    const options: LocalClusterOptions = { name: `bench-${name}`, libsDir, heap: BROKER_HEAP, startTimeoutMs: 120_000, ...(scram ? { scram } : {}) };
    const local = await startLocalCluster(options);
    const secure = local.scramBootstrap?.SASL_SSL;
    return { local, topics: new BenchTopics(local.bootstrap, local.dataDir), ...(secure ? { saslSsl: saslSslAccess(secure) } : {}) };
  };
  const [source, destination] = await Promise.allSettled([start('source'), start('destination')]);
  if (source.status === 'rejected' || destination.status === 'rejected') {
    for (const side of [source, destination]) if (side.status === 'fulfilled') await stopCluster(side.value);
    throw source.status === 'rejected' ? source.reason : (destination as PromiseRejectedResult).reason;
  }
  return { source: source.value, destination: destination.value };
}

export async function stopCluster(cluster: BenchCluster): Promise<void> {
  await cluster.topics.close();
  await cluster.local.stop();
  await rm(cluster.local.dataDir, { recursive: true, force: true });
}

/** The broker JVM's -Xmx, read from its command line. */
export async function brokerHeap(cluster: BenchCluster): Promise<string> {
  const cmdline = await readFile(`/proc/${cluster.local.pid}/cmdline`, 'utf8').catch(() => '');
  return (
    cmdline
      .split('\0')
      .find((arg) => arg.startsWith('-Xmx'))
      ?.slice(4) ?? 'unknown'
  );
}

/** CPU seconds the broker JVM has used so far. */
export async function brokerCpuSeconds(cluster: BenchCluster): Promise<number> {
  return (await readStat(cluster.local.pid))?.cpuSeconds ?? Number.NaN;
}
