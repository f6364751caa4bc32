// Interleaved A/B of kreroute builds: `npm run bench:ab -- --variant base=../old --variant new=.`. See bench/README.md.
// Each variant's copy runs in turns with the others on the same loaded topic, round after round;
// the table gives medians and each variant's paired differences from the first.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureKafkaJars } from '../../src/local/kafka-jars.ts';
import { startClusters, stopCluster } from '../clusters.ts';
import { loadTopic } from '../loader.ts';
import { checkTimeInstalled, killAllTools } from '../measure.ts';
import { allProfiles } from '../profiles.ts';
import { recordFactoryFor } from '../record-gen.ts';
import { krerouteTool, repoRoot } from '../tools/kreroute.ts';
import { warmUpBrokers } from '../warmup.ts';
import { USAGE, type Variant, parseAbOptions } from './options.ts';
import { type AbRun, pairedRows, renderPaired } from './paired.ts';
import { abortedOnSignals, optionsOrExitCode } from '../command-line.ts';

const log = (line: string) => process.stderr.write(`[ab] ${line}\n`);

async function main(): Promise<number> {
  const options = optionsOrExitCode(parseAbOptions, USAGE, log);
  if (typeof options === 'number') return options;
  checkTimeInstalled();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = path.join(repoRoot, 'bench', 'results', `ab-${stamp}`);
  await mkdir(workDir, { recursive: true });
  const controller = abortedOnSignals(log);
  process.on('exit', killAllTools);
  const tools = new Map<string, ReturnType<typeof krerouteTool>>();
  for (const variant of options.variants) {
    const bundle = await buildVariant(variant, stamp);
    log(`${variant.name}: ${bundle}${Object.keys(variant.env).length > 0 ? ` with ${JSON.stringify(variant.env)}` : ''}`);
    tools.set(variant.name, krerouteTool({ filtered: false, driver: 'bundle', bundle, cpuProf: false, env: variant.env }));
  }
  const libsDir = await ensureKafkaJars({ log });
  log('starting a source and a destination broker of its own (logs: .cache/broker-logs/)');
  const clusters = await startClusters(libsDir);
  const runs: AbRun[] = [];
  try {
    await warmUpBrokers([clusters.source, clusters.destination]);
    for (const profile of allProfiles(false).filter((p) => options.profiles.includes(p.name))) {
      const factory = recordFactoryFor(profile);
      const sourceTopic = `ab-${profile.name}`;
      await clusters.source.topics.create(sourceTopic, profile.partitions, profile.topicConfigs);
      log(`${profile.name}: loading ${profile.records.toLocaleString('en-US')} records`);
      await loadTopic(
        clusters.source.local.bootstrap,
        sourceTopic,
        profile,
        factory,
        AbortSignal.any([controller.signal, AbortSignal.timeout(options.stepTimeoutMs)]),
      );
      // Round 0 is untimed: the brokers' first reads and writes after the load cost them most (JIT, page cache).
      for (let round = 0; round <= options.rounds; round++) {
        // Every other round the other way round: no variant always follows the same one.
        const order = round % 2 === 0 ? options.variants : [...options.variants].reverse();
        for (const variant of order) {
          if (controller.signal.aborted) return 130;
          const runDir = path.join(workDir, profile.name, `round-${round}`, variant.name);
          await mkdir(runDir, { recursive: true });
          const result = await tools.get(variant.name)!.run({
            profile,
            factory,
            source: clusters.source.topics,
            destination: clusters.destination.topics,
            sourceTopic,
            libsDir,
            workDir: runDir,
            runId: `${variant.name}-r${round}`,
            timeoutMs: options.stepTimeoutMs,
            signal: controller.signal,
          });
          if (result.outcome !== 'exited' || result.found !== result.expected) {
            throw new Error(
              `${variant.name} round ${round}: ${result.outcome} (exit ${result.exitCode}), ${result.found}/${result.expected} records; log in ${runDir}`,
            );
          }
          await clusters.destination.topics.delete(await clusters.destination.topics.list());
          if (round === 0) continue;
          runs.push({
            profile: profile.name,
            variant: variant.name,
            round,
            cpuSeconds: result.cpuSeconds,
            wallSeconds: result.wallSeconds,
            peakRssBytes: result.peakRssBytes,
          });
          log(`${profile.name} round ${round} ${variant.name}: CPU ${result.cpuSeconds.toFixed(2)} s, wall ${result.wallSeconds.toFixed(2)} s`);
        }
      }
      await clusters.source.topics.delete([sourceTopic]);
    }
  } finally {
    log('stopping the brokers');
    await Promise.allSettled([stopCluster(clusters.source), stopCluster(clusters.destination)]);
  }
  const names = options.variants.map((v) => v.name);
  const table = renderPaired(pairedRows(runs, names), names[0]!);
  await writeFile(path.join(workDir, 'results.json'), `${JSON.stringify({ options, runs }, null, 2)}\n`);
  console.log(table);
  log(`runs: ${path.relative(process.cwd(), path.join(workDir, 'results.json'))}`);
  return 0;
}

/** The variant's own bundle, built by its own scripts/bundle-cli.ts inside its checkout (where its node_modules are). */
async function buildVariant(variant: Variant, stamp: string): Promise<string> {
  const tree = path.resolve(variant.tree);
  const { bundleCli } = (await import(pathToFileURL(path.join(tree, 'scripts', 'bundle-cli.ts')).href)) as typeof import('../../scripts/bundle-cli.ts');
  const built = await bundleCli({ outDir: path.join(tree, 'bench', 'results', `ab-${stamp}-${variant.name}`) });
  // One start fills Node's compile cache with the bundle, as for the main bench.
  const check = spawnSync(process.execPath, [built.launcher, '--version'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`${variant.name}: its bundle does not start: ${check.stderr || check.error?.message}`);
  return built.launcher;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
