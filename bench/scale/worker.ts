import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { readStat } from '../proc.ts';

// setpriv --pdeathsig: a worker dies with the benchmark, even when the benchmark is SIGKILLed.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** One kreroute CLI process (a shard's copy, a plan, a verify), in a network namespace or here. */
export interface CliCommand {
  /** Network namespace to run in (`ip netns exec`); undefined: the benchmark's own (the brokers'). */
  ns: string | undefined;
  launcher: string;
  args: string[];
  logFile: string;
}

/** One JSON line the CLI printed with --json. */
export type CliLine = { type: string; stage?: string; message?: string; records?: number; kind?: string; [key: string]: unknown };

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Seconds from spawn to exit. */
  seconds: number;
  /** CPU seconds, last sampled from /proc (every 250 ms, so up to that much is missing). */
  cpuSeconds: number;
  /** The `result` line, if it printed one. */
  result: CliLine | undefined;
}

/** The command line as a person would type it (for the report). */
export function commandText(command: CliCommand): string {
  return [...(command.ns ? ['ip', 'netns', 'exec', command.ns] : []), 'kreroute', ...command.args].join(' ');
}

/**
 * A running CLI process: its JSON lines are parsed as they come (`onLine`), everything it prints
 * is appended to the log file, its CPU is sampled, and it can be killed like a crash (SIGKILL).
 */
export class CliProcess {
  readonly exited: Promise<CliExit>;
  readonly #child: ChildProcess;
  #cpuSeconds = 0;
  #result: CliLine | undefined;

  constructor(command: CliCommand, onLine: (line: CliLine) => void = () => undefined) {
    // Progress each second (--json's default is 30 s): shards.ts times its kill by the progress lines.
    const argv = [
      ...(command.ns ? ['ip', 'netns', 'exec', command.ns] : []),
      process.execPath,
      command.launcher,
      ...command.args,
      '--json',
      '--progress-interval',
      '1s',
    ];
    const [file, args] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', ...argv]] : [argv[0]!, argv.slice(1)];
    const started = performance.now();
    void appendFile(command.logFile, `=== ${new Date().toISOString()} ${commandText(command)}\n`);
    this.#child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = this.#child.pid;
    const sampler = setInterval(() => {
      if (pid !== undefined) void readStat(pid).then((s) => s && (this.#cpuSeconds = s.cpuSeconds));
    }, 250);
    let pending = '';
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      void appendFile(command.logFile, chunk);
      pending += chunk.toString('utf8');
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
        const text = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        let line: CliLine;
        try {
          line = JSON.parse(text) as CliLine;
        } catch {
          continue;
        }
        if (line.type === 'result') this.#result = line;
        onLine(line);
      }
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => void appendFile(command.logFile, chunk));
    this.exited = new Promise((resolve) => {
      this.#child.once('close', (code, signal) => {
        clearInterval(sampler);
        resolve({ code, signal, seconds: (performance.now() - started) / 1000, cpuSeconds: this.#cpuSeconds, result: this.#result });
      });
      this.#child.once('error', () => undefined);
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** SIGKILL: a crash, nothing saved, the transaction left open. */
  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

/** Runs a CLI command to its end, SIGKILLed after timeoutMs. */
export async function runCli(command: CliCommand, timeoutMs: number, onLine?: (line: CliLine) => void): Promise<CliExit> {
  const cli = new CliProcess(command, onLine);
  const timer = setTimeout(() => cli.kill(), timeoutMs);
  try {
    return await cli.exited;
  } finally {
    clearTimeout(timer);
  }
}
