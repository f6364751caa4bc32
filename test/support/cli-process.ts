import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  /** Exit code (the signal's name if killed by one), and when it exited. */
  exited: Promise<{ code: number | string | null; at: number }>;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr (or stdout) has a line matching `pattern`; rejects after timeoutMs. */
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<void>;
}

/** `node src/cli/main.ts …` as a running process, to signal while it works. */
export function startKreroute(args: string[]): CliProcess {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('KREROUTE_') || k.startsWith('KREROUTE_TEST_') || k === 'KREROUTE_CACHE_DIR'),
  );
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout!.on('data', (d: Buffer) => ((stdout += d.toString()), changed()));
  child.stderr!.on('data', (d: Buffer) => ((stderr += d.toString()), changed()));
  const exited = new Promise<{ code: number | string | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code: signal ?? code, at: Date.now() })),
  );
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(stderr) || pattern.test(stdout)) done(resolve);
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; stderr: ${stderr}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      void exited.then(() =>
        done(() => (pattern.test(stderr) || pattern.test(stdout) ? resolve() : reject(new Error(`exited before ${pattern}; stderr: ${stderr}`)))),
      );
      check();
    });
  return { child, exited, stdout: () => stdout, stderr: () => stderr, waitFor };
}
