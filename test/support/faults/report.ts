import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../src/local/paths.ts';

/** test/faults/results/ (git-ignored): one Markdown file per run of the suite. */
export const RESULTS_DIR = join(repoRoot, 'test', 'faults', 'results');

const RUN_ID_ENV = 'KREROUTE_FAULTS_RUN_ID';

/** Set by the suite's global setup, so every fault file appends to the same results file. */
export function runId(): string {
  let id = process.env[RUN_ID_ENV];
  if (!id) {
    id = new Date().toISOString().replace(/[:.]/g, '-');
    process.env[RUN_ID_ENV] = id;
  }
  return id;
}

export function resultsFile(): string {
  return join(RESULTS_DIR, `${runId()}.md`);
}

const HEADER = ['| scenario | faults injected | messages | lost | duplicated | seconds | notes |', '| --- | --- | ---: | ---: | ---: | ---: | --- |'];

/** Creates the results file with its header unless it exists. */
export async function startResultsFile(seed: number): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = resultsFile();
  const intro = [
    `# kreroute fault suite, ${new Date().toISOString()}`,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; seed ${seed} (replay with KREROUTE_FAULTS_SEED=${seed}).`,
    '',
    ...HEADER,
    '',
  ].join('\n');
  await writeFile(file, intro, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return file;
}

export interface ScenarioResult {
  scenario: string;
  faults: string;
  /** Records the scenario copied (the planned count). */
  messages: number;
  lost: number;
  duplicated: number;
  seconds: number;
  notes?: string;
}

/** Prints the scenario's line and appends it to the run's results file. */
export async function reportScenario(result: ScenarioResult): Promise<void> {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = `| ${cell(result.scenario)} | ${cell(result.faults)} | ${result.messages} | ${result.lost} | ${result.duplicated} | ${result.seconds.toFixed(0)} | ${cell(result.notes ?? '')} |`;
  process.stdout.write(`[fault result] ${line}\n`);
  await startResultsFile(seed());
  await appendFile(resultsFile(), `${line}\n`);
}

const SEED_ENV = 'KREROUTE_FAULTS_SEED';

/** The suite's random seed: KREROUTE_FAULTS_SEED, or one chosen (and exported) now. */
export function seed(): number {
  let text = process.env[SEED_ENV];
  if (!text) {
    text = String(Math.floor(Math.random() * 0x7fffffff));
    process.env[SEED_ENV] = text;
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${SEED_ENV} must be an integer, not ${text}`);
  return value;
}

/** mulberry32: a small seeded PRNG, so a run's kill instants can be replayed. */
export function prng(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A PRNG of its own for each scenario (so one scenario's draws do not shift another's), from the suite seed. */
export function scenarioRandom(name: string): { random: () => number; seed: number } {
  let h = seed();
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return { random: prng(h), seed: seed() };
}
