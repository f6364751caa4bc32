import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BrokerConfigInput, brokerConfig, quorumBrokerConfig, toProperties } from './broker-config.ts';
import { freePorts } from './free-port.ts';
import { runJava } from './java-process.ts';
import { ensureKafkaJars } from './kafka-jars.ts';
import { randomKafkaUuid } from './kafka-uuid.ts';
import { type LocalNode, localNode } from './local-node.ts';
import { cacheDir } from './paths.ts';
import { type LocalSecurity, secureBrokerConfig, securityFormatArgs, securitySystemProperties } from './secure-broker-config.ts';
import { type LocalTls, tlsBrokerConfig } from './tls-broker-config.ts';
import { type LocalScramListeners, scramFormatArgs, scramListenersConfig } from './scram-listeners-config.ts';

export type { LocalNode } from './local-node.ts';

export interface LocalClusterOptions {
  /** Used in folder names and messages, e.g. "source". */
  name: string;
  /**
   * How many nodes, each a broker and a KRaft controller in one JVM: 1 (the default), or 3 — a
   * static quorum of 3 voters, with 3 replicas and min.insync.replicas=2 for new and internal
   * topics (see quorumNodeConfig). Every node gets `heap`.
   */
  nodes?: 1 | 3;
  /** Kafka's log.dirs (of several nodes: a folder per node inside); default a new folder under the OS temp dir. Not deleted by stop(). */
  dataDir?: string;
  /** Where broker.log and server.properties go (broker-<id>.log, server-<id>.properties of several nodes); default `<cacheDir()>/broker-logs/<name>-<time>-XXXXXX/`. */
  logDir?: string;
  /** server.properties entries that override the defaults (and those of `security`), on every node. */
  brokerConfig?: Record<string, string>;
  /** Client listener with SASL/PLAIN (and optionally SCRAM and OAUTHBEARER) and ACLs enforced; default PLAINTEXT with no authorizer. */
  security?: LocalSecurity;
  /** Client listener (also used between brokers) with TLS; default PLAINTEXT. Not together with `security`. */
  tls?: LocalTls;
  /**
   * Host the client listener is advertised at, bound on every address (for clients in other
   * network namespaces, as bench/scale does); default 127.0.0.1 only. Not with `security` or `tls`.
   */
  advertisedHost?: string;
  /** SCRAM listeners (SASL_PLAINTEXT, and SASL_SSL with TLS) next to the PLAINTEXT one. Not with `security`, `tls` or `advertisedHost`. */
  scram?: LocalScramListeners;
  /** Folder of Kafka jars; default from ensureKafkaJars(). */
  libsDir?: string;
  /** Jars put on every broker's classpath after the libs (e.g. a remote storage plugin, see tiered-storage.ts). */
  extraClasspath?: string[];
  /** Keep the brokers running after this Node process ends (stop them with stopPid). */
  detached?: boolean;
  startTimeoutMs?: number;
  /** Each broker JVM's -Xmx, e.g. "1g"; default 512m. */
  heap?: string;
}

export interface LocalCluster {
  readonly name: string;
  /** "127.0.0.1:PORT" (or advertisedHost:PORT), or of several nodes "127.0.0.1:PORT,127.0.0.1:PORT,…" (as the CLI and Kafka's tools take it). */
  readonly bootstrap: string;
  /** Every node's "127.0.0.1:PORT", in node order. */
  readonly brokers: string[];
  /** With `scram`: the bootstrap of its SASL_PLAINTEXT listener, and of its SASL_SSL one when it has TLS. */
  readonly scramBootstrap?: { SASL_PLAINTEXT: string; SASL_SSL?: string };
  readonly clusterId: string;
  /** Node 1's log. */
  readonly logFile: string;
  readonly logDir: string;
  readonly dataDir: string;
  /** Pid of node 1's JVM; changes on restart(). */
  readonly pid: number;
  /** The nodes, node ids 1, 2, …, each to stop, kill or restart on its own. */
  readonly nodes: readonly LocalNode[];
  /** The node with this node.id; throws when there is none. */
  node(nodeId: number): LocalNode;
  stop(): Promise<void>;
  /** Stops and starts every node (same ports and data). */
  restart(): Promise<void>;
}

const FORMAT_TIMEOUT_MS = 60_000;

/**
 * Starts a KRaft Kafka on 127.0.0.1 with free ports: by default a single node (broker and
 * controller in one JVM); with `nodes: 3`, three such nodes forming one quorum.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const { name } = options;
  const count = options.nodes ?? 1;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  if (options.security && options.tls) throw new Error(`local broker "${name}": security (SASL) and tls together are not supported`);
  if (options.advertisedHost && (options.security || options.tls))
    throw new Error(`local broker "${name}": advertisedHost is for the PLAINTEXT listener only, not with security or tls`);
  if (options.scram && (options.security || options.tls || options.advertisedHost)) {
    throw new Error(`local broker "${name}": scram listeners go next to a PLAINTEXT listener on 127.0.0.1, not with security, tls or advertisedHost`);
  }
  const libsDir = options.libsDir ?? (await ensureKafkaJars());
  const logDir = options.logDir ?? (await newLogDir(name));
  await mkdir(logDir, { recursive: true });
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), `kreroute-${name}-`)));
  const ports = await freePorts((options.scram ? 4 : 2) * count);
  const brokerPorts = ports.slice(0, count);
  const controllerPorts = ports.slice(count, 2 * count);
  const scramPorts = ports.slice(2 * count, 3 * count);
  const scramTlsPorts = ports.slice(3 * count);
  const clusterId = randomKafkaUuid();

  const nodes: LocalNode[] = [];
  for (let i = 0; i < count; i++) {
    const nodeId = i + 1;
    const single = count === 1;
    const [brokerPort, controllerPort] = [brokerPorts[i]!, controllerPorts[i]!];
    const logFile = path.join(logDir, single ? 'broker.log' : `broker-${nodeId}.log`);
    const propertiesFile = path.join(logDir, single ? 'server.properties' : `server-${nodeId}.properties`);
    const input: BrokerConfigInput = {
      brokerPort,
      controllerPort,
      dataDir: single ? dataDir : path.join(dataDir, `node-${nodeId}`),
      ...(options.advertisedHost ? { advertisedHost: options.advertisedHost } : {}),
      overrides: {
        ...(options.security ? secureBrokerConfig(options.security, { brokerPort, controllerPort }) : {}),
        ...(options.tls ? tlsBrokerConfig(options.tls, { brokerPort, controllerPort }) : {}),
        ...options.brokerConfig,
      },
    };
    let config = single ? brokerConfig(input) : quorumBrokerConfig({ ...input, nodeId, controllerPorts });
    if (options.scram) {
      const scram = scramListenersConfig(options.scram, config, { scramPort: scramPorts[i]!, scramTlsPort: scramTlsPorts[i]! });
      config = { ...config, ...scram, ...options.brokerConfig };
    }
    await writeFile(propertiesFile, toProperties(config));
    // A static quorum (controller.quorum.voters) is formatted without --standalone.
    const formatArgs = [
      'format',
      '--cluster-id',
      clusterId,
      '--config',
      propertiesFile,
      ...(single ? ['--standalone'] : []),
      ...securityFormatArgs(options.security),
      ...(options.scram ? scramFormatArgs(options.scram) : []),
    ];
    await runJava({ libsDir, logFile, mainClass: 'kafka.tools.StorageTool', args: formatArgs }, FORMAT_TIMEOUT_MS);
    const label = single ? `"${name}"` : `"${name}" node ${nodeId}`;
    const systemProperties = securitySystemProperties(options.security);
    nodes.push(
      localNode({
        label,
        nodeId,
        brokerPort,
        host: options.advertisedHost ?? '127.0.0.1',
        libsDir,
        ...(options.extraClasspath ? { extraClasspath: options.extraClasspath } : {}),
        logFile,
        propertiesFile,
        startTimeoutMs,
        detached: options.detached,
        heap: options.heap,
        systemProperties,
      }),
    );
  }

  // Together: a node of a quorum finishes starting only once a majority of the voters is up.
  const startAll = async () => {
    const results = await Promise.allSettled(nodes.map((node) => node.start()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(nodes.map((node) => node.stop().catch(() => {})));
      throw failed.reason;
    }
  };
  await startAll();

  const first = nodes[0]!;
  const brokers = nodes.map((node) => node.address);
  return {
    name,
    bootstrap: brokers.join(','),
    brokers,
    ...(options.scram
      ? {
          scramBootstrap: {
            SASL_PLAINTEXT: scramPorts.map((port) => `127.0.0.1:${port}`).join(','),
            ...(options.scram.tls ? { SASL_SSL: scramTlsPorts.map((port) => `127.0.0.1:${port}`).join(',') } : {}),
          },
        }
      : {}),
    clusterId,
    logFile: first.logFile,
    logDir,
    dataDir,
    get pid() {
      return first.pid;
    },
    nodes,
    node: (nodeId) => {
      const node = nodes.find((n) => n.nodeId === nodeId);
      if (!node) throw new Error(`local cluster "${name}" has no node ${nodeId} (it has ${nodes.map((n) => n.nodeId).join(', ')})`);
      return node;
    },
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    },
    restart: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
      await startAll();
    },
  };
}

const KEEP_LOGS_MS = 7 * 24 * 3600_000;

async function newLogDir(name: string): Promise<string> {
  const root = path.join(cacheDir(), 'broker-logs');
  await mkdir(root, { recursive: true });
  for (const entry of await readdir(root)) {
    const dir = path.join(root, entry);
    const old = await stat(dir).then(
      (s) => Date.now() - s.mtimeMs > KEEP_LOGS_MS,
      () => false,
    );
    if (old) await rm(dir, { recursive: true, force: true });
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return mkdtemp(path.join(root, `${name}-${stamp}-`));
}
