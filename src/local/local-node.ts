import type { ChildProcess } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { canConnect } from './free-port.ts';
import { killChild, spawnJava, stopChild } from './java-process.ts';
import { fileSize, readFrom, tailLines } from './log-file.ts';

/** One Kafka JVM (broker + controller) of a local cluster. */
export interface LocalNode {
  /** Kafka's node.id. */
  readonly nodeId: number;
  /** "HOST:PORT" of its client listener (127.0.0.1 unless advertised elsewhere). */
  readonly address: string;
  readonly logFile: string;
  readonly propertiesFile: string;
  /** Pid of the JVM; changes on start(). -1 before the first start. */
  readonly pid: number;
  /** Whether its JVM is running (started and not yet exited). */
  readonly running: boolean;
  /** Starts the JVM (again, after stop or kill: same ports and data) and waits until it serves. */
  start(): Promise<void>;
  /** SIGTERM (a clean shutdown), SIGKILL if it takes over 20 s. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed, no controlled shutdown. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface LocalNodeInput {
  /** How messages name it, e.g. `"source"` or `"source" node 2`. */
  label: string;
  nodeId: number;
  brokerPort: number;
  /** The client listener's advertised host. */
  host: string;
  libsDir: string;
  extraClasspath?: string[];
  logFile: string;
  propertiesFile: string;
  detached?: boolean;
  heap?: string;
  systemProperties?: Record<string, string>;
  startTimeoutMs: number;
}

const STARTED_LINE = 'Kafka Server started';

export function localNode(input: LocalNodeInput): LocalNode {
  let child: ChildProcess | undefined;
  const { label } = input;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (running()) throw new Error(`Kafka broker ${label} is already running (pid ${child!.pid})`);
    await appendFile(input.logFile, `=== kreroute: starting broker ${label} at ${new Date().toISOString()} ===\n`);
    const from = await fileSize(input.logFile);
    child = spawnJava({
      libsDir: input.libsDir,
      ...(input.extraClasspath ? { extraClasspath: input.extraClasspath } : {}),
      logFile: input.logFile,
      mainClass: 'kafka.Kafka',
      args: [input.propertiesFile],
      detached: input.detached,
      ...(input.heap ? { heap: input.heap } : {}),
      ...(input.systemProperties ? { systemProperties: input.systemProperties } : {}),
    });
    await waitUntilStarted(child, { label, logFile: input.logFile, from, brokerPort: input.brokerPort, timeoutMs: input.startTimeoutMs });
  };
  const stop = async () => {
    if (child) await stopChild(child);
  };
  return {
    nodeId: input.nodeId,
    address: `${input.host}:${input.brokerPort}`,
    logFile: input.logFile,
    propertiesFile: input.propertiesFile,
    get pid() {
      return child?.pid ?? -1;
    },
    get running() {
      return running();
    },
    start,
    stop,
    kill: async () => {
      if (child) await killChild(child);
    },
    restart: async () => {
      await stop();
      await start();
    },
  };
}

interface WaitInput {
  label: string;
  logFile: string;
  /** Log offset at spawn time: only a "started" line after it counts (restart appends to the same log). */
  from: number;
  brokerPort: number;
  timeoutMs: number;
}

async function waitUntilStarted(child: ChildProcess, input: WaitInput): Promise<void> {
  const deadline = Date.now() + input.timeoutMs;
  const fail = async (what: string) => new Error(`Kafka broker ${input.label} ${what}; log: ${input.logFile}\n${await tailLines(input.logFile)}`);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw await fail(`exited while starting (${child.exitCode ?? child.signalCode})`);
    }
    const text = await readFrom(input.logFile, input.from);
    if (text.includes(STARTED_LINE) && (await canConnect('127.0.0.1', input.brokerPort))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopChild(child, 5_000).catch(() => {});
  throw await fail(`did not start within ${input.timeoutMs} ms`);
}
