import { Admin, FindCoordinatorKeyTypes } from '@platformatic/kafka';
import { join } from 'node:path';
import type { LocalCluster } from '../../../src/local/local-cluster.ts';
import { javaExecutable } from '../../../src/local/paths.ts';
import { spawnTracked, tail, waitFor } from './processes.ts';

// Which broker of a several-node cluster to hit, asked with the client library directly (not
// kreroute's KafkaCluster), and the hitting itself.

const log = (line: string) => process.stderr.write(`[fault brokers] ${line}\n`);

/** Runs `op` with an Admin client bootstrapped from the nodes that are running. */
async function withAdmin<T>(cluster: LocalCluster, op: (admin: Admin) => Promise<T>): Promise<T> {
  const bootstrapBrokers = cluster.nodes.filter((n) => n.running).map((n) => n.address);
  if (bootstrapBrokers.length === 0) throw new Error(`no node of ${cluster.name} is running`);
  const admin = new Admin({ clientId: 'kreroute-fault-suite', bootstrapBrokers, connectTimeout: 5_000, requestTimeout: 10_000, retries: 5, retryDelay: 500 });
  try {
    return await op(admin);
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/** Node id of the leader of topic[partition]. */
export async function partitionLeader(cluster: LocalCluster, topic: string, partition: number): Promise<number> {
  const leader = (await partitionLeaders(cluster, topic))[partition];
  if (leader === undefined || leader < 0) throw new Error(`${topic}[${partition}] of ${cluster.name} has no leader`);
  return leader;
}

/** Node id of the leader of each partition of topic (-1: none), by partition. */
export async function partitionLeaders(cluster: LocalCluster, topic: string): Promise<number[]> {
  return withAdmin(cluster, async (admin) => {
    const partitions = (await admin.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic)?.partitions;
    if (!partitions) throw new Error(`no topic ${topic} on ${cluster.name}`);
    return partitions.map((p) => p.leader);
  });
}

/** Node id of the transaction coordinator of `transactionalId` (FindCoordinator, key type TRANSACTION). */
export async function transactionCoordinator(cluster: LocalCluster, transactionalId: string): Promise<number> {
  return withAdmin(cluster, async (admin) => {
    const [found] = await admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.TRANSACTION, keys: [transactionalId] });
    if (!found || found.nodeId < 0) throw new Error(`no transaction coordinator for ${transactionalId} on ${cluster.name}`);
    return found.nodeId;
  });
}

/**
 * Node id of the first broker a Metadata response lists: the broker kreroute's
 * KafkaCluster.anyConnection() sends cluster-wide requests to (FindCoordinator, InitProducerId).
 */
export async function firstMetadataBroker(cluster: LocalCluster): Promise<number> {
  return withAdmin(cluster, async (admin) => {
    const first = (await admin.metadata({ topics: [], forceUpdate: true })).brokers.keys().next();
    if (first.done) throw new Error(`the metadata of ${cluster.name} lists no broker`);
    return first.value;
  });
}

/** kill -9 of one node (it does not shut down cleanly); resolves once its JVM has exited. */
export async function killBroker(cluster: LocalCluster, nodeId: number): Promise<void> {
  const node = cluster.node(nodeId);
  log(`kill -9 ${cluster.name} node ${nodeId} (pid ${node.pid})`);
  await node.kill();
}

/** Starts a killed or stopped node again (same ports and data) and waits until it serves. */
export async function restartBroker(cluster: LocalCluster, nodeId: number): Promise<void> {
  const node = cluster.node(nodeId);
  const started = Date.now();
  if (node.running) await node.stop();
  await node.start();
  log(`${cluster.name} node ${nodeId} serves again (pid ${node.pid}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Waits (bounded) until every partition of every topic (internal ones too) has all its replicas in
 * sync: after a node came back, so that the next scenario starts from a whole cluster.
 */
export async function waitInSync(cluster: LocalCluster, timeoutMs = 120_000): Promise<void> {
  let lagging = 'not asked yet';
  try {
    await waitFor(
      `every replica on ${cluster.name} in sync`,
      timeoutMs,
      () =>
        withAdmin(cluster, async (admin) => {
          const topics = await admin.listTopics({ includeInternals: true });
          const metadata = await admin.metadata({ topics, forceUpdate: true });
          const behind = topics.flatMap((t) =>
            (metadata.topics.get(t)?.partitions ?? []).flatMap((p, i) =>
              p.leader >= 0 && p.isr.length === p.replicas.length ? [] : [`${t}[${i}] leader ${p.leader} isr ${p.isr.join(',')} of ${p.replicas.join(',')}`],
            ),
          );
          lagging = behind.length === 0 ? '' : `${behind.length} partitions, e.g. ${behind.slice(0, 3).join('; ')}`;
          return behind.length === 0 ? true : undefined;
        }).catch((error: unknown) => {
          lagging = `metadata failed: ${String(error)}`;
          return undefined;
        }),
      1_000,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message} (${lagging})`);
  }
}

/**
 * Moves every partition's leadership back to its preferred replica (Kafka's LeaderElectionCommand):
 * after a kill, the survivors keep the leaderships they took over, and the next scenario's victim
 * would lead more than its share.
 */
export async function electPreferredLeaders(cluster: LocalCluster, libsDir: string): Promise<void> {
  const proc = spawnTracked(javaExecutable(), [
    '-Xmx128m',
    '-XX:+UseSerialGC',
    '-cp',
    join(libsDir, '*'),
    'org.apache.kafka.tools.LeaderElectionCommand',
    '--bootstrap-server',
    cluster.bootstrap,
    '--election-type',
    'preferred',
    '--all-topic-partitions',
  ]);
  const exit = await proc.waitExit(60_000, `LeaderElectionCommand on ${cluster.name}`);
  if (exit.code !== 0)
    throw new Error(`LeaderElectionCommand on ${cluster.name}: exit ${exit.code ?? exit.signal}\n${tail(proc.stdout())}\n${tail(proc.stderr())}`);
}
