// The memory profile: `npm run bench:memory -- --records 5000000,100000000`. See bench/README.md.
// Peak RSS of plan --exact, copy and verify (each a CLI process of its own) at two or more source
// sizes; fails when a step is over the limit or grows more than allowed from the first size.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from '../../scripts/bundle-cli.ts';
import { ensureKafkaJars } from '../../src/local/kafka-jars.ts';
import { type BenchCluster, startClusters, stopCluster } from '../clusters.ts';
import { loadTopic } from '../loader.ts';
import { checkTimeInstalled, killAllTools, measure } from '../measure.ts';
import type { Profile } from '../profiles.ts';
import { RecordFactory } from '../record-gen.ts';
import { warmUpBrokers } from '../warmup.ts';
import { type MemoryOptions, USAGE, parseMemoryOptions } from './options.ts';
import { loadWithProducerPerf } from './producer-perf-load.ts';
import { type PeakTable, judgePeaks, renderPeaks } from './verdict.ts';
import { abortedOnSignals, optionsOrExitCode } from '../command-line.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const PARTITIONS = 8;
const STEPS = ['plan --exact', 'copy', 'verify'] as const;
const log = (line: string) => process.stderr.write(`[memory] ${line}\n`);

async function main(): Promise<number> {
  const options = optionsOrExitCode(parseMemoryOptions, USAGE, log);
  if (typeof options === 'number') return options;
  checkTimeInstalled();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = path.join(here, '..', 'results', `memory-${stamp}`);
  await mkdir(workDir, { recursive: true });
  const controller = abortedOnSignals(log);

  const cli = options.driver === 'bundle' ? await builtCli(workDir) : path.join(repoRoot, 'src', 'cli', 'main.ts');
  const libsDir = await ensureKafkaJars({ log });
  log('starting a source and a destination broker of its own (logs: .cache/broker-logs/)');
  const clusters = await startClusters(libsDir);
  // A signal ends the brokers and this process at once (see src/local/java-process.ts): their data goes too.
  process.once('exit', () => {
    for (const side of [clusters.source, clusters.destination]) rmSync(side.local.dataDir, { recursive: true, force: true });
  });
  const table: PeakTable = new Map(STEPS.map((s) => [s, []]));
  const seconds: PeakTable = new Map(STEPS.map((s) => [s, []]));
  try {
    await warmUpBrokers([clusters.source, clusters.destination]);
    const largest = options.records.at(-1)!;
    const factory = new RecordFactory(options.valueBytes, largest);
    const sourceTopic = 'memory-source';
    await clusters.source.topics.create(sourceTopic, PARTITIONS, {});
    let loaded = 0;
    for (const size of options.records) {
      const profile: Profile = { name: 'memory', records: size, valueBytes: options.valueBytes, partitions: PARTITIONS, topicConfigs: {} };
      log(`loading records ${loaded}..${size - 1} into ${sourceTopic}`);
      const loadStarted = performance.now();
      const loadSignal = AbortSignal.any([controller.signal, AbortSignal.timeout(options.stepTimeoutMs)]);
      if (options.loader === 'records') await loadTopic(clusters.source.local.bootstrap, sourceTopic, profile, factory, loadSignal, loaded);
      else
        await loadWithProducerPerf({
          libsDir,
          bootstrap: clusters.source.local.bootstrap,
          topic: sourceTopic,
          records: size - loaded,
          valueBytes: options.valueBytes,
          logFile: path.join(workDir, `load-${size}.log`),
          timeoutMs: options.stepTimeoutMs,
          signal: loadSignal,
        });
      log(`loaded in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`);
      loaded = size;
      const peaks = await runJob({ cli, options, clusters, sourceTopic, size, workDir: path.join(workDir, String(size)), signal: controller.signal });
      for (const step of STEPS) {
        table.get(step)!.push(peaks[step]?.peakRssBytes ?? Number.NaN);
        seconds.get(step)!.push(peaks[step]?.wallSeconds ?? Number.NaN);
      }
    }
  } finally {
    log('stopping the brokers');
    await Promise.allSettled([stopCluster(clusters.source), stopCluster(clusters.destination)]);
  }
  console.log(`Peak RSS (${options.valueBytes}-byte values, ${PARTITIONS} partitions, kreroute ${options.driver}):\n`);
  console.log(renderPeaks(table, options.records));
  console.log(`\nWall seconds:\n`);
  console.log(renderPeaks(seconds, options.records, (s) => `${s.toFixed(1)} s`));
  const verdict = judgePeaks(table, options.records, options.limitBytes, options.maxGrowth);
  for (const breach of verdict.breaches) console.log(`FAIL ${breach}`);
  if (verdict.ok) console.log(`\nPASS: every step under ${options.limitBytes / 1e6} MB and within ${options.maxGrowth * 100} % of its first size`);
  log(`logs: ${path.relative(process.cwd(), workDir)}`);
  return verdict.ok ? 0 : 1;
}

async function builtCli(workDir: string): Promise<string> {
  const built = await bundleCli({ outDir: path.join(workDir, 'cli') });
  const check = spawnSync(process.execPath, [built.launcher, '--version'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`the CLI bundle does not start: ${check.stderr || check.error?.message}`);
  return built.launcher;
}

interface JobInput {
  cli: string;
  options: MemoryOptions;
  clusters: { source: BenchCluster; destination: BenchCluster };
  sourceTopic: string;
  size: number;
  workDir: string;
  signal: AbortSignal;
}

/** plan --exact, copy, verify into a fresh destination topic (deleted afterwards); each step measured alone. */
async function runJob(input: JobInput): Promise<Partial<Record<(typeof STEPS)[number], { peakRssBytes: number; wallSeconds: number }>>> {
  const { cli, options, clusters, sourceTopic, size, workDir, signal } = input;
  await mkdir(workDir, { recursive: true });
  const destinationTopic = `memory-destination-${size}`;
  await clusters.destination.topics.create(destinationTopic, PARTITIONS, {});
  const planFile = path.join(workDir, 'plan.json');
  const stateDir = path.join(workDir, 'state');
  const trace = options.trace ? [`--import=${path.join(here, 'memory-trace.ts')}`] : [];
  const node = [...options.nodeFlags, ...trace, cli];
  const commands: Record<(typeof STEPS)[number], string[]> = {
    'plan --exact': [
      ...node,
      'plan',
      '--source',
      clusters.source.local.bootstrap,
      '--destination',
      clusters.destination.local.bootstrap,
      '--topic',
      sourceTopic,
      '--dest-topic',
      destinationTopic,
      '--exact',
      '--out',
      planFile,
      '--json',
    ],
    copy: [...node, 'copy', planFile, '--state-dir', stateDir, '--json'],
    verify: [...node, 'verify', planFile, '--state-dir', stateDir, '--json'],
  };
  const results: Partial<Record<(typeof STEPS)[number], { peakRssBytes: number; wallSeconds: number }>> = {};
  try {
    for (const step of STEPS) {
      const logFile = path.join(workDir, `${step.split(' ')[0]}.log`);
      const env = options.trace ? { ...process.env, KREROUTE_MEMORY_TRACE: path.join(workDir, step.split(' ')[0]!) } : process.env;
      const m = await measure({ command: process.execPath, args: commands[step], cwd: repoRoot, env, logFile, timeoutMs: options.stepTimeoutMs, signal });
      log(`${size} records, ${step}: ${m.outcome} (exit ${m.exitCode}), ${m.wallSeconds.toFixed(1)} s, peak RSS ${(m.peakRssBytes / 1e6).toFixed(0)} MB`);
      if (m.outcome !== 'exited') {
        log(`${step} did not succeed: see ${logFile}`);
        break;
      }
      results[step] = { peakRssBytes: m.peakRssBytes, wallSeconds: m.wallSeconds };
    }
  } finally {
    await clusters.destination.topics.delete([destinationTopic]).catch(() => undefined);
  }
  return results;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log((error as Error).stack ?? String(error));
    killAllTools();
    process.exit(1);
  },
);
