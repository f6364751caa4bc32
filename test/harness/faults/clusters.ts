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
  /** Resumes a paused broker, stops both, deletes their data (logs stay in .cache/broker-logs). */
  stop(): Promise<void>;
}

const log = (line: string) => process.stderr.write(`[fault clusters] ${line}\n`);

/**
 * Two single-node brokers of the fault suite's own — it restarts and pauses them, so it must not
 * use the clusters the other tests share. Start in a `before`, stop in an `after`.
 */
export async function startFaultClusters(label: string): Promise<FaultClusters> {
  const libsDir = await ensureKafkaJars();
  const t0 = Date.now();
  const names = [`faults-${label}-source`, `faults-${label}-destination`];
  const dataDirs = await Promise.all(names.map((n) => mkdtemp(join(tmpdir(), `kreroute-${n}-`))));
  // One after the other: two JVMs starting at once on two busy cores can miss the start timeout.
  const started: LocalCluster[] = [];
  try {
    for (const [i, name] of names.entries()) started.push(await startLocalCluster({ name, libsDir, dataDir: dataDirs[i]!, startTimeoutMs: 120_000 }));
  } catch (error) {
    await Promise.all(started.map((c) => c.stop().catch(() => undefined)));
    await Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
    throw error;
  }
  const [source, destination] = started as [LocalCluster, LocalCluster];
  log(`${label}: source ${source.bootstrap} (log ${source.logFile}), destination ${destination.bootstrap} (log ${destination.logFile}), started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return {
    source,
    destination,
    libsDir,
    sourceSettings: { bootstrap: [source.bootstrap] },
    destinationSettings: { bootstrap: [destination.bootstrap] },
    stop: async () => {
      await killAll();
      for (const c of started) resume(c.pid);
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
