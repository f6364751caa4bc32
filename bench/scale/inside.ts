// The scale benchmark's second half, run by main.ts inside the brokers' network namespace
// (`ip netns exec krs-scale-b node bench/scale/inside.ts CONFIG.json`): starts the two brokers
// advertised on the bridge's address, loads the source topic, then copies it once per run.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureKafkaJars, kafkaVersion } from '../../src/local/kafka-jars.ts';
import { startLocalCluster } from '../../src/local/local-cluster.ts';
import { BROKER_HEAP, type BenchCluster, brokerHeap, stopCluster } from '../clusters.ts';
import { loadTopic } from '../loader.ts';
import { machineInfo } from '../machine.ts';
import { RecordFactory } from '../record-gen.ts';
import { sourceState } from '../source-state.ts';
import { BenchTopics } from '../topics.ts';
import { warmUpBrokers } from '../warmup.ts';
import { type ScaleNetwork, describeCaps } from './network.ts';
import type { ScaleOptions } from './options.ts';
import { type ScaleReport, renderMarkdown, renderTable } from './report.ts';
import { type RunSpec, runScale } from './run.ts';

export interface InsideConfig {
  options: ScaleOptions;
  network: ScaleNetwork;
  launcher: string;
  resultsDir: string;
  command: string;
  repoRoot: string;
}

const log = (line: string) => process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

export function runSpecs(options: ScaleOptions): RunSpec[] {
  const specs: RunSpec[] = [];
  if (options.loopback) specs.push({ label: 'n1-loopback', workers: 1, link: false, kill: false });
  for (const n of options.workers) specs.push({ label: `n${n}`, workers: n, link: true, kill: false });
  const largest = Math.max(...options.workers);
  if (options.kill && largest > 1) specs.push({ label: `n${largest}-kill`, workers: largest, link: true, kill: true });
  return specs;
}

/** The brokers' data lives in the results folder, as `data-<name>`: main.ts deletes it on every exit, this process's too. */
async function startCluster(name: string, host: string, libsDir: string, resultsDir: string): Promise<BenchCluster> {
  const dataDir = path.join(resultsDir, `data-${name}`);
  await mkdir(dataDir, { recursive: true });
  const local = await startLocalCluster({ name: `scale-${name}`, libsDir, heap: BROKER_HEAP, advertisedHost: host, dataDir, startTimeoutMs: 120_000 });
  return { local, topics: new BenchTopics(local.bootstrap, local.dataDir) };
}

async function main(): Promise<number> {
  const config = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as InsideConfig;
  const { options, network } = config;
  const startedAt = new Date().toISOString();
  const libsDir = await ensureKafkaJars({ log });
  log(`starting the source and destination brokers in ${network.brokersNs}, advertised at ${network.brokersHost}`);
  const started = await Promise.allSettled([
    startCluster('source', network.brokersHost, libsDir, config.resultsDir),
    startCluster('destination', network.brokersHost, libsDir, config.resultsDir),
  ]);
  const clusters = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const report: ScaleReport = {
    startedAt,
    finishedAt: '',
    command: config.command,
    machine: { ...machineInfo(), nproc: os.availableParallelism(), kafka: await kafkaVersion() },
    kreroute: (({ commit, changedSourceFiles }) => ({ commit, uncommittedSrcFiles: changedSourceFiles.length }))(sourceState(config.repoRoot)),
    setup: {
      records: options.records,
      valueBytes: options.valueBytes,
      recordBytes: 0,
      partitions: options.partitions,
      rateMbit: options.rateMbit,
      caps: describeCaps(network),
      loadSeconds: 0,
      brokerHeap: '',
    },
    runs: [],
    errors: [],
  };
  const write = async () => {
    report.finishedAt = new Date().toISOString();
    await writeFile(path.join(config.resultsDir, 'scale.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(path.join(config.resultsDir, 'scale.md'), renderMarkdown(report));
  };
  try {
    if (clusters.length < 2) throw (started.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason;
    const [source, destination] = clusters as [BenchCluster, BenchCluster];
    report.setup.brokerHeap = await brokerHeap(source);
    log(`brokers up: source ${source.local.bootstrap}, destination ${destination.local.bootstrap}; warming them up`);
    await warmUpBrokers([source, destination]);

    const sourceTopic = 'scale-src';
    const factory = new RecordFactory(options.valueBytes, options.records);
    report.setup.recordBytes = factory.recordBytes;
    await source.topics.create(sourceTopic, options.partitions, {});
    log(`loading ${options.records} records into ${sourceTopic} (${options.partitions} partitions)`);
    const loadStart = performance.now();
    await loadTopic(
      source.local.bootstrap,
      sourceTopic,
      { name: 'scale', records: options.records, valueBytes: options.valueBytes, partitions: options.partitions, topicConfigs: {} },
      factory,
      AbortSignal.timeout(options.runTimeoutMs),
    );
    report.setup.loadSeconds = (performance.now() - loadStart) / 1000;
    log(`loaded in ${report.setup.loadSeconds.toFixed(1)} s`);

    for (const spec of runSpecs(options)) {
      try {
        report.runs.push(
          await runScale(spec, {
            source,
            destination,
            network,
            launcher: config.launcher,
            workDir: config.resultsDir,
            sourceTopic,
            partitions: options.partitions,
            killAfterS: options.killAfterS,
            oracleAll: options.oracleAll,
            copyArgs: options.copyArgs,
            timeoutMs: options.runTimeoutMs,
            log,
          }),
        );
      } catch (error) {
        report.errors.push(`${spec.label}: ${(error as Error).message}`);
        log(`${spec.label} failed: ${(error as Error).message}`);
      }
      await write();
      // Frees the disk and the brokers' page cache for the next run.
      await destination.topics.delete([`scale-dst-${spec.label}`]).catch(() => undefined);
    }
  } catch (error) {
    report.errors.push((error as Error).message);
    log(`failed: ${(error as Error).stack ?? error}`);
  } finally {
    log('stopping the brokers');
    await Promise.allSettled(clusters.map(stopCluster));
    await write();
  }
  console.log(`\n${renderTable(report)}\n`);
  log(`results: ${path.join(config.resultsDir, 'scale.md')} and scale.json`);
  const bad =
    report.errors.length > 0 ||
    report.runs.some((r) => r.error || (r.oracle && (r.oracle.lost || r.oracle.duplicated || r.oracle.extra || !r.oracle.allSameSequence)));
  return bad ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    log(`${signal}: exiting (the brokers and workers die with this process)`);
    process.exit(130);
  });

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
