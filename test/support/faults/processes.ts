import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../../../src/local/paths.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  /** null while running. */
  exit(): Exit | null;
  /** Everything written to stdout so far (empty when stdout goes to onStdoutLine only). */
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit, or throws after timeoutMs (and kills the process). */
  waitExit(timeoutMs: number, what: string): Promise<Exit>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Each stdout line, as it comes; stdout is then not kept in memory. */
  onStdoutLine?: (line: string) => void;
  /** Each stderr line, as it comes (stderr is kept as well). */
  onStderrLine?: (line: string) => void;
  /** Append stdout and stderr to this file too (for post-mortems). */
  logFile?: string;
}

/** Every process the fault suite started and that may still run: killed (by pid) in killAll(). */
const running = new Set<Proc>();

// setpriv --pdeathsig (util-linux) has Linux kill a child when the test process dies, even by SIGKILL:
// no copier or tool outlives an interrupted suite. setpriv execs the command: the pid stays the same.
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): Proc {
  const [file, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let stdout = '';
  let stderr = '';
  let exit: Exit | null = null;
  let log: WriteStream | undefined;
  if (options.logFile) {
    log = createWriteStream(options.logFile, { flags: 'a' });
    log.write(`\n=== ${new Date().toISOString()} ${command} ${args.join(' ')} (pid ${child.pid}) ===\n`);
  }
  if (options.onStdoutLine) {
    const onLine = options.onStdoutLine;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log?.write(`${line}\n`);
      onLine(line);
    });
  } else {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      log?.write(d);
    });
  }
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    log?.write(d);
  });
  if (options.onStderrLine) createInterface({ input: child.stderr! }).on('line', options.onStderrLine);
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      exit = { code, signal };
      running.delete(proc);
      log?.end(`=== exit ${code ?? signal} ===\n`);
      resolve(exit);
    });
  });
  const proc: Proc = {
    child,
    pid: child.pid,
    exited,
    exit: () => exit,
    stdout: () => stdout,
    stderr: () => stderr,
    kill: (signal) => {
      if (exit === null) child.kill(signal);
    },
    waitExit: async (timeoutMs, what) => {
      const cancel = new AbortController();
      const timeout = sleep(timeoutMs, null, { signal: cancel.signal }).catch(() => null);
      const result = await Promise.race([exited, timeout]).finally(() => cancel.abort());
      if (result === null) {
        child.kill('SIGKILL');
        throw new Error(`${what} did not finish within ${Math.round(timeoutMs / 1000)} s (killed); stderr:\n${tail(stderr)}`);
      }
      return result;
    },
  };
  running.add(proc);
  return proc;
}

/** Kills (SIGKILL, by pid) every process the suite started that is still running. */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const proc of left) proc.kill('SIGKILL');
  await Promise.all(left.map((p) => Promise.race([p.exited, sleep(5_000, undefined, { ref: false })])));
}

export const CLI = join(repoRoot, 'src', 'cli', 'main.ts');

/** `node src/cli/main.ts <args>` as a child process. */
export function runCli(args: string[], options: SpawnOptions = {}): Proc {
  return spawnTracked(process.execPath, ['--max-old-space-size=512', CLI, ...args], {
    ...options,
    env: { ...process.env, KREROUTE_DEBUG: '1', ...options.env },
  });
}

/** Polls `probe` until it returns a value that is not undefined; throws after timeoutMs. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** How an exit reads in messages: "exit 7" or "SIGKILL". */
export function describeExit(exit: Exit | null): string {
  if (!exit) return 'running';
  return exit.signal ?? `exit ${exit.code}`;
}
