// For `node --test --test-global-setup=test/support/faults/global-setup.ts 'test/faults/*.fault.ts'`
// (npm run test:faults). Runs in the test runner's process; the fault files' processes inherit the
// run id and seed set here, so they all append to one results file and draw from one seed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../../src/local/paths.ts';
import { resultsFile, runId, seed, startResultsFile } from './report.ts';

export async function globalSetup(): Promise<void> {
  // The checkout's jars and broker logs (bootstrap.sh), also when run without scripts/env.sh.
  process.env['KREROUTE_CACHE_DIR'] ??= join(repoRoot, '.cache');
  runId();
  const value = seed();
  const file = await startResultsFile(value);
  process.stderr.write(`[faults] seed ${value} (replay with KREROUTE_FAULTS_SEED=${value}); results: ${file}\n`);
}

export async function globalTeardown(): Promise<void> {
  const text = await readFile(resultsFile(), 'utf8').catch(() => '');
  process.stderr.write(`\n[faults] results (${resultsFile()}):\n${text}\n`);
}
