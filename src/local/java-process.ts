import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { tailLines } from './log-file.ts';
import { javaExecutable, kafkaLog4jConfig } from './paths.ts';

export interface JavaProcessOptions {
  libsDir: string;
  /** Jars or folders put on the classpath after the libs (e.g. a remote storage plugin). */
  extraClasspath?: string[];
  mainClass: string;
  args: string[];
  /** stdout, stderr and log4j output are all appended here. */
  logFile: string;
  heap?: string;
  /** -Dname=value options for the JVM (e.g. Kafka's allowed OAuth URLs). */
  systemProperties?: Record<string, string>;
  /**
   * Detached: own process group, not killed when this Node process ends; stop it by pid
   * ({@link stopPid}). Otherwise the JVM is killed when Node exits or is signalled (best effort).
   */
  detached?: boolean;
}

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killLive(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killLive);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killLive();
      // A listener disables Node's default "terminate"; unless the host handles the signal, terminate.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

// setpriv --pdeathsig makes Linux kill the JVM even when Node itself is SIGKILLed.
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** Starts `java -cp <libs>/* <mainClass> <args>` with its output in logFile. */
export function spawnJava(options: JavaProcessOptions): ChildProcess {
  const jvmArgs = [
    `-Xmx${options.heap ?? '512m'}`,
    '-XX:+UseG1GC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${kafkaLog4jConfig}`,
    `-Dkreroute.log.file=${options.logFile}`,
    ...Object.entries(options.systemProperties ?? {}).map(([name, value]) => `-D${name}=${value}`),
    '-cp',
    [path.join(options.libsDir, '*'), ...(options.extraClasspath ?? [])].join(path.delimiter),
    options.mainClass,
    ...options.args,
  ];
  const [command, args] = setpriv && !options.detached ? [setpriv, ['--pdeathsig', 'KILL', '--', javaExecutable(), ...jvmArgs]] : [javaExecutable(), jvmArgs];
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: options.detached ?? false });
    child.on('error', () => {}); // a failed spawn is reported below, through the missing pid
    if (child.pid === undefined) throw new Error(`could not start ${command} (is Java installed?)`);
    // A running broker should not keep Node alive by itself; stop() or the exit hook ends it.
    child.unref();
    if (!options.detached) {
      installExitHooks();
      live.add(child);
      child.once('exit', () => live.delete(child));
    }
    return child;
  } finally {
    closeSync(fd);
  }
}

/** Runs a short-lived Java tool to completion; throws with the log's tail when it fails. */
export async function runJava(options: JavaProcessOptions, timeoutMs: number): Promise<void> {
  const child = spawnJava({ heap: '256m', ...options, detached: false });
  if (!(await waitGone(child, timeoutMs))) {
    child.kill('SIGKILL');
    throw new Error(`${options.mainClass} ${options.args.join(' ')} took over ${timeoutMs} ms; log: ${options.logFile}`);
  }
  if (child.exitCode !== 0) {
    throw new Error(
      `${options.mainClass} ${options.args.join(' ')} failed (exit ${child.exitCode ?? child.signalCode}); ` +
        `log: ${options.logFile}\n${await tailLines(options.logFile)}`,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM, then SIGKILL if the process has not exited after graceMs. */
export async function stopChild(child: ChildProcess, graceMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitGone(child, graceMs)) return;
  child.kill('SIGKILL');
  if (!(await waitGone(child, 5_000))) throw new Error(`process ${child.pid} survived SIGKILL`);
}

/** SIGKILL (a crash: no clean shutdown), then waits until the process has exited. */
export async function killChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  if (!(await waitGone(child, timeoutMs))) throw new Error(`process ${child.pid} survived SIGKILL`);
}

/** Like stopChild, for a process started by another Node process (e.g. detached). */
export async function stopPid(pid: number, graceMs = 20_000): Promise<void> {
  const waitFor = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (!isAlive(pid)) return true;
    return !isAlive(pid);
  };
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // exited meanwhile
    }
  };
  if (!isAlive(pid)) return;
  signal('SIGTERM');
  if (await waitFor(graceMs)) return;
  signal('SIGKILL');
  if (!(await waitFor(5_000))) throw new Error(`process ${pid} survived SIGKILL`);
}
