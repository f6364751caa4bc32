import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientSettings } from '../../../src/index.ts';
import { ensureKafkaJars } from '../../../src/local/kafka-jars.ts';
import { type LocalCluster, startLocalCluster } from '../../../src/local/local-cluster.ts';
import { killAll } from './processes.ts';

export interface FaultClusters {
  source: LocalCluster;
  destination: LocalCluster;
  libsDir: string;
  sourceSettings: ClientSettings;
  destinationSettings: ClientSettings;
  /** Resumes paused brokers, stops both clusters, deletes their data (logs stay in .cache/broker-logs). */
  stop(): Promise<void>;
}

const log = (line: string) => process.stderr.write(`[fault clusters] ${line}\n`);

export interface FaultClusterOptions {
  /** Nodes per cluster: 1 (the default), or 3 (one KRaft quorum, 3 replicas, min.insync.replicas=2). */
  nodes?: 1 | 3;
  /** Broker settings of the destination cluster beyond the defaults (e.g. to break its transaction coordinator). */
  destinationBrokerConfig?: Record<string, string>;
}

/** -Xmx of each broker JVM of a 3-node cluster: six of them share the machine. */
const QUORUM_NODE_HEAP = '384m';

/**
 * Two clusters of the fault suite's own — it restarts, kills and pauses their brokers, so it must
 * not use the clusters the other tests share. Start in a `before`, stop in an `after`.
 */
export async function startFaultClusters(label: string, options: FaultClusterOptions = {}): Promise<FaultClusters> {
  const nodes = options.nodes ?? 1;
  const libsDir = await ensureKafkaJars();
  const t0 = Date.now();
  const names = [`faults-${label}-source`, `faults-${label}-destination`];
  const dataDirs = await Promise.all(names.map((n) => mkdtemp(join(tmpdir(), `kreroute-${n}-`))));
  // One cluster after the other: more JVMs starting at once on two busy cores can miss the start timeout.
  const started: LocalCluster[] = [];
  try {
    for (const [i, name] of names.entries()) {
      const brokerConfig = i === 1 ? options.destinationBrokerConfig : undefined;
      started.push(
        await startLocalCluster({
          name,
          libsDir,
          dataDir: dataDirs[i]!,
          startTimeoutMs: 120_000,
          ...(nodes === 1 ? {} : { nodes, heap: QUORUM_NODE_HEAP }),
          ...(brokerConfig ? { brokerConfig } : {}),
        }),
      );
    }
  } catch (error) {
    await Promise.all(started.map((c) => c.stop().catch(() => undefined)));
    await Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
    throw error;
  }
  const [source, destination] = started as [LocalCluster, LocalCluster];
  const logs = (c: LocalCluster) => (nodes === 1 ? `log ${c.logFile}` : `logs ${c.logDir}/broker-<node id>.log`);
  log(
    `${label}: source ${source.bootstrap} (${logs(source)}), destination ${destination.bootstrap} (${logs(destination)}), started in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return {
    source,
    destination,
    libsDir,
    sourceSettings: { bootstrap: source.brokers },
    destinationSettings: { bootstrap: destination.brokers },
    stop: async () => {
      await killAll();
      for (const node of started.flatMap((c) => c.nodes)) resume(node.pid);
      await Promise.all(started.map((c) => c.stop().catch((e: unknown) => log(`stopping ${c.name}: ${String(e)}`))));
      await Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** SIGCONT, ignoring a process that is gone. */
export function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // gone
  }
}
