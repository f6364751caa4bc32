import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getTestClusters } from './clusters.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `node src/cli/main.ts …` to its end (killed after timeoutMs), as a user would: without the
 * KREROUTE_* settings of this process other than the test clusters' and the cache folder.
 */
export function runKreroute(args: string[], timeoutMs = 120_000): Promise<CliRun> {
  const started = Date.now();
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('KREROUTE_') || k.startsWith('KREROUTE_TEST_') || k === 'KREROUTE_CACHE_DIR'),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kreroute ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** `kreroute plan` between the test clusters, `args` after them. */
export function runPlan(args: string[], timeoutMs?: number): Promise<CliRun> {
  const { source, destination } = getTestClusters();
  return runKreroute(['plan', '--source', source, '--destination', destination, ...args], timeoutMs);
}
