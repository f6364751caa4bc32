import type { ChildProcess } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { brokerConfig, toProperties } from "./broker-config.ts";
import { canConnect, freePorts } from "./free-port.ts";
import { spawnJava, runJava, stopChild } from "./java-process.ts";
import { ensureKafkaJars } from "./kafka-jars.ts";
import { randomKafkaUuid } from "./kafka-uuid.ts";
import { fileSize, readFrom, tailLines } from "./log-file.ts";
import { defaultCacheDir } from "./paths.ts";
import { type LocalSecurity, secureBrokerConfig } from "./secure-broker-config.ts";
import { type LocalTls, tlsBrokerConfig } from "./tls-broker-config.ts";

export interface LocalClusterOptions {
  /** Used in folder names and messages, e.g. "source". */
  name: string;
  /** Kafka's log.dirs; default a new folder under the OS temp dir. Not deleted by stop(). */
  dataDir?: string;
  /** Where broker.log and server.properties go; default `.cache/broker-logs/<name>-<time>-XXXXXX/`. */
  logDir?: string;
  /** server.properties entries that override the defaults (and those of `security`). */
  brokerConfig?: Record<string, string>;
  /** Client listener with SASL/PLAIN and ACLs enforced; default PLAINTEXT with no authorizer. */
  security?: LocalSecurity;
  /** Client listener (also used between brokers) with TLS; default PLAINTEXT. Not together with `security`. */
  tls?: LocalTls;
  /** Folder of Kafka jars; default from ensureKafkaJars(). */
  libsDir?: string;
  /** Keep the broker running after this Node process ends (stop it with stopPid). */
  detached?: boolean;
  startTimeoutMs?: number;
  /** The broker JVM's -Xmx, e.g. "1g"; default 512m. */
  heap?: string;
}

export interface LocalCluster {
  readonly name: string;
  /** "127.0.0.1:PORT" */
  readonly bootstrap: string;
  readonly clusterId: string;
  readonly logFile: string;
  readonly logDir: string;
  readonly dataDir: string;
  /** Pid of the JVM; changes on restart(). */
  readonly pid: number;
  stop(): Promise<void>;
  /** Stops and starts the same broker (same ports and data). */
  restart(): Promise<void>;
}

const STARTED_LINE = "Kafka Server started";
const FORMAT_TIMEOUT_MS = 60_000;

/** Starts a single-node KRaft Kafka (broker + controller in one JVM) on 127.0.0.1 with free ports. */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const { name } = options;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  if (options.security && options.tls) throw new Error(`local broker "${name}": security (SASL) and tls together are not supported`);
  const libsDir = options.libsDir ?? (await ensureKafkaJars());
  const logDir = options.logDir ?? (await newLogDir(name));
  await mkdir(logDir, { recursive: true });
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), `kreroute-${name}-`)));
  const logFile = path.join(logDir, "broker.log");
  const [brokerPort, controllerPort] = (await freePorts(2)) as [number, number];
  const propertiesFile = path.join(logDir, "server.properties");
  const overrides = {
    ...(options.security ? secureBrokerConfig(options.security, { brokerPort, controllerPort }) : {}),
    ...(options.tls ? tlsBrokerConfig(options.tls, { brokerPort, controllerPort }) : {}),
    ...options.brokerConfig,
  };
  const config = brokerConfig({ brokerPort, controllerPort, dataDir, overrides });
  await writeFile(propertiesFile, toProperties(config));

  const clusterId = randomKafkaUuid();
  await runJava(
    {
      libsDir,
      logFile,
      mainClass: "kafka.tools.StorageTool",
      args: ["format", "--cluster-id", clusterId, "--config", propertiesFile, "--standalone"],
    },
    FORMAT_TIMEOUT_MS,
  );

  let child: ChildProcess;
  const start = async () => {
    await appendFile(logFile, `=== kreroute: starting broker "${name}" at ${new Date().toISOString()} ===\n`);
    const from = await fileSize(logFile);
    child = spawnJava({
      libsDir,
      logFile,
      mainClass: "kafka.Kafka",
      args: [propertiesFile],
      detached: options.detached,
      ...(options.heap ? { heap: options.heap } : {}),
    });
    await waitUntilStarted(child, { name, logFile, from, brokerPort, timeoutMs: startTimeoutMs });
  };
  await start();

  return {
    name,
    bootstrap: `127.0.0.1:${brokerPort}`,
    clusterId,
    logFile,
    logDir,
    dataDir,
    get pid() {
      return child.pid ?? -1;
    },
    stop: () => stopChild(child),
    restart: async () => {
      await stopChild(child);
      await start();
    },
  };
}

const KEEP_LOGS_MS = 7 * 24 * 3600_000;

async function newLogDir(name: string): Promise<string> {
  const root = path.join(defaultCacheDir, "broker-logs");
  await mkdir(root, { recursive: true });
  for (const entry of await readdir(root)) {
    const dir = path.join(root, entry);
    const old = await stat(dir).then((s) => Date.now() - s.mtimeMs > KEEP_LOGS_MS, () => false);
    if (old) await rm(dir, { recursive: true, force: true });
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return mkdtemp(path.join(root, `${name}-${stamp}-`));
}

interface WaitInput {
  name: string;
  logFile: string;
  /** Log offset at spawn time: only a "started" line after it counts (restart appends to the same log). */
  from: number;
  brokerPort: number;
  timeoutMs: number;
}

async function waitUntilStarted(child: ChildProcess, input: WaitInput): Promise<void> {
  const deadline = Date.now() + input.timeoutMs;
  const fail = async (what: string) =>
    new Error(`Kafka broker "${input.name}" ${what}; log: ${input.logFile}\n${await tailLines(input.logFile)}`);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw await fail(`exited while starting (${child.exitCode ?? child.signalCode})`);
    }
    const text = await readFrom(input.logFile, input.from);
    if (text.includes(STARTED_LINE) && (await canConnect("127.0.0.1", input.brokerPort))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopChild(child, 5_000).catch(() => {});
  throw await fail(`did not start within ${input.timeoutMs} ms`);
}
