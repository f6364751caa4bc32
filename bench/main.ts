// The benchmark: `npm run bench -- [--quick] [--runs N] [--profiles a,b] [--tools x,y]`. See bench/README.md.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureKafkaJars, kafkaVersion } from '../src/local/kafka-jars.ts';
import { bundleCli } from '../scripts/bundle-cli.ts';
import { type BenchCluster, brokerCpuSeconds, brokerHeap, startClusters, stopCluster } from './clusters.ts';
import { waitForIdleBrokers, waitForQuietMachine } from './settle.ts';
import { warmUpBrokers } from './warmup.ts';
import { loadTopic } from './loader.ts';
import { machineInfo } from './machine.ts';
import { sourceState } from './source-state.ts';
import { machineBusySeconds } from './proc.ts';
import { checkTimeInstalled, killAllTools } from './measure.ts';
import { type BenchOptions, CLI_TOOLS, USAGE, parseOptions } from './options.ts';
import { type Profile, allProfiles, describeProfile } from './profiles.ts';
import { type RecordFactory, recordFactoryFor } from './record-gen.ts';
import { type BenchResults, type ProfileFacts, renderMarkdown, withSummaries, writeResults } from './results.ts';
import type { RunRecord } from './stats.ts';
import { renderTable } from './render.ts';
import { renderJobTable } from './render-jobs.ts';
import { toolsByName } from './tools/registry.ts';
import type { Tool, ToolContext } from './tools/tool.ts';
import { optionsOrExitCode } from './command-line.ts';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(benchDir, 'results');
/** "Quiet": the whole machine (brokers included) uses less than this many cores. */
const QUIET_CORES = 0.3;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(): Promise<number> {
  const options = optionsOrExitCode(parseOptions, USAGE, log);
  if (typeof options === 'number') return options;
  checkTimeInstalled();
  // kcat is a peer, and also warms the brokers up and counts what each tool wrote.
  if (spawnSync('kcat', ['-V']).error) throw new Error('kcat is not installed (apt-get install kcat)');

  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d+Z$/, 'Z');
  const logsDir = path.join(resultsDir, stamp);
  const controller = new AbortController();
  installSignalHandlers(controller);

  // kreroute runs as users run it: the CLI bundle, built once from the working tree into this run's folder.
  let bundle: string | undefined;
  if (options.kreroute === 'bundle' && options.tools.some((t) => CLI_TOOLS.includes(t))) {
    const built = await bundleCli({ outDir: path.join(logsDir, 'cli') });
    log(`built the CLI bundle: ${path.relative(process.cwd(), built.launcher)} (${(built.bundleBytes / 1e6).toFixed(1)} MB)`);
    // One start fills Node's compile cache with the new bundle, as any earlier use would have for a user,
    // so that the first timed run does not pay alone for compiling it (and a broken bundle stops us here).
    const check = spawnSync(process.execPath, [built.launcher, '--version'], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`the CLI bundle does not start: ${check.stderr || check.error?.message}`);
    bundle = built.launcher;
  }
  const tools = toolsByName(options.kreroute, bundle, options.cpuProf);
  const profiles = allProfiles(options.quick).filter((p) => options.profiles.includes(p.name));
  // SCRAM with Kafka 4 needs librdkafka 2.6.1 or later (scripts/fetch-librdkafka.sh); then every
  // kcat of this run uses it, so that its profiles compare the same kcat.
  if (profiles.some((p) => p.listener === 'SASL_SSL')) {
    const fetched = spawnSync('bash', [path.join(benchDir, '..', 'scripts', 'fetch-librdkafka.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (fetched.status !== 0) throw new Error('scripts/fetch-librdkafka.sh failed: kcat cannot do SCRAM with Kafka 4 without a newer librdkafka');
    process.env.LD_LIBRARY_PATH = [fetched.stdout.trim(), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  const kcatVersion = /librdkafka [0-9.]+/.exec(spawnSync('kcat', ['-V'], { encoding: 'utf8' }).stdout)?.[0] ?? 'librdkafka unknown';
  log(`kcat uses ${kcatVersion}`);
  for (const name of ['kcat', 'kcat-topic', 'kcat-job', 'kcat-topic-job'] as const) tools[name].summary += ` (${kcatVersion})`;
  const libsDir = await ensureKafkaJars({ log });
  log(`starting the source and destination brokers (logs: .cache/broker-logs/)`);
  const clusters = await startClusters(
    libsDir,
    profiles.some((p) => p.listener === 'SASL_SSL'),
  );
  const results: Omit<BenchResults, 'summaries'> = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    complete: false,
    options,
    machine: machineInfo(),
    brokers: { heap: await brokerHeap(clusters.source), kafka: await kafkaVersion() },
    kreroute: sourceState(path.dirname(benchDir)),
    tools: Object.fromEntries(options.tools.map((name) => [name, tools[name].summary])),
    profiles: [],
    runs: [],
    errors: [],
  };
  log(
    `brokers up: source ${clusters.source.local.bootstrap}, destination ${clusters.destination.local.bootstrap} (heap ${results.brokers.heap}); logs of this run in ${path.relative(process.cwd(), logsDir)}`,
  );
  try {
    log('warming the brokers up (transaction and group topics)');
    await warmUpBrokers([clusters.source, clusters.destination]);
    for (const profile of profiles) {
      if (controller.signal.aborted) break;
      try {
        const chosen = options.tools.map((n) => tools[n]);
        // Over SASL_SSL only the tools that can reach that listener run.
        const usable = profile.listener ? chosen.filter((t) => t.saslSsl) : chosen;
        const skipped = chosen.filter((t) => !usable.includes(t)).map((t) => t.name);
        if (skipped.length > 0) log(`${describeProfile(profile)}: skipping ${skipped.join(', ')} (not run over ${profile.listener})`);
        await runProfile({ profile, options, tools: usable, warmUp: tools.kcat, clusters, libsDir, logsDir, stamp, signal: controller.signal, results });
      } catch (error) {
        if (controller.signal.aborted) break;
        const message = `${describeProfile(profile)}: ${(error as Error).message ?? error}`;
        log(`profile failed, going on with the next: ${message}`);
        results.errors.push(message);
      }
      await writeResults(resultsDir, stamp, withSummaries({ ...results, finishedAt: new Date().toISOString() }));
    }
    results.complete = !controller.signal.aborted;
  } finally {
    log('stopping the brokers');
    await Promise.allSettled([stopCluster(clusters.source), stopCluster(clusters.destination)]);
  }
  const final = withSummaries({ ...results, finishedAt: new Date().toISOString() });
  const written = await writeResults(resultsDir, stamp, final);
  console.log(renderMarkdown(final));
  log(`results: ${path.relative(process.cwd(), written.md)} and .json`);
  if (!results.complete) return 130;
  const failed = final.runs.filter((r) => r.error !== undefined).length;
  if (failed > 0 || final.errors.length > 0) log(`${failed} run(s) and ${final.errors.length} profile(s) failed: see the results`);
  return failed > 0 || final.errors.length > 0 ? 1 : 0;
}

interface ProfileInput {
  profile: Profile;
  options: BenchOptions;
  tools: Tool[];
  /**
   * Run once, untimed, after loading: the first timed run should not pay for the brokers' warm-up.
   * Then every tool once, untimed too: each writes through broker code of its own (transactions,
   * idempotent or plain produce) whose JIT compilation would land on its first timed run only.
   */
  warmUp: Tool;
  clusters: { source: BenchCluster; destination: BenchCluster };
  libsDir: string;
  logsDir: string;
  stamp: string;
  signal: AbortSignal;
  results: Omit<BenchResults, 'summaries'>;
}

async function runProfile(input: ProfileInput): Promise<void> {
  const { profile, options, clusters, signal } = input;
  const { source, destination } = clusters;
  const factory = recordFactoryFor(profile);
  const sourceTopic = `bench-${profile.name}-${input.stamp.slice(11, 19).replace(/-/g, '')}`;
  const label = describeProfile(profile);
  log(`${label}: loading ${profile.records.toLocaleString('en-US')} records into ${sourceTopic}`);
  await source.topics.create(sourceTopic, profile.partitions, profile.topicConfigs);
  try {
    const loadStarted = performance.now();
    await loadTopic(source.topics.bootstrap, sourceTopic, profile, factory, AbortSignal.any([signal, AbortSignal.timeout(options.stepTimeoutMs)]));
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const loaded = await source.topics.endOffsetSum(sourceTopic, profile.partitions);
    if (loaded !== profile.records) throw new Error(`loaded ${loaded} records into ${sourceTopic}, expected ${profile.records}`);
    const facts: ProfileFacts = {
      name: profile.name,
      label,
      records: profile.records,
      valueBytes: profile.valueBytes,
      recordBytes: factory.recordBytes,
      topicConfigs: profile.topicConfigs,
      loadSeconds,
      sourceBytesOnDisk: await source.topics.bytesOnDisk(sourceTopic),
    };
    input.results.profiles.push(facts);
    log(`${label}: loaded in ${loadSeconds.toFixed(1)} s (${(facts.sourceBytesOnDisk / 1e6).toFixed(0)} MB on disk)`);

    // The brokers' first big read and write after the load cost them far more CPU than later ones
    // (JIT, page cache): whichever tool ran first paid for it. An untimed copy pays instead.
    for (const tool of [input.warmUp, ...input.tools.filter((t) => t !== input.warmUp)]) {
      if (signal.aborted) return;
      log(`${label}: warming the brokers up with an untimed ${tool.name} copy`);
      await runOnce(input, tool, 0, sourceTopic, factory);
      await destination.topics.delete(await destination.topics.list()).catch((e: unknown) => log(`could not delete destination topics: ${e}`));
    }
    for (let run = 1; run <= options.runs; run++) {
      // Each run starts with another tool, so no tool is always the one after the warm-up or the load.
      const order = input.tools.map((_, i) => input.tools[(i + run - 1) % input.tools.length]!);
      for (const tool of order) {
        if (signal.aborted) return;
        const record = await runOnce(input, tool, run, sourceTopic, factory);
        if (signal.aborted) return; // an interrupted run measures nothing
        input.results.runs.push(record);
        log(`${label} run ${run}/${options.runs} ${tool.name}: ${describeRun(record)}`);
        if (signal.aborted) return;
        await destination.topics.delete(await destination.topics.list()).catch((e: unknown) => log(`could not delete destination topics: ${e}`));
      }
    }
    const current = withSummaries(input.results).summaries.filter((s) => s.profile === profile.name);
    const labels = new Map([[profile.name, label]]);
    process.stderr.write(`\n${[renderTable(current, labels), renderJobTable(current, labels)].filter(Boolean).join('\n\n')}\n\n`);
  } finally {
    if (!signal.aborted) await source.topics.delete([sourceTopic]).catch(() => undefined);
  }
}

async function runOnce(input: ProfileInput, tool: Tool, run: number, sourceTopic: string, factory: RecordFactory): Promise<RunRecord> {
  const { profile, clusters } = input;
  if (!(await waitForIdleBrokers([clusters.source, clusters.destination]))) log('the brokers did not go idle within 90 s; running anyway');
  if (input.options.waitQuietMs > 0 && !(await waitForQuietMachine(QUIET_CORES, input.options.waitQuietMs))) {
    log(`the machine did not go quiet within ${input.options.waitQuietMs / 1000} s; running anyway`);
  }
  const workDir = path.join(input.logsDir, profile.name, `run-${run}`, tool.name);
  await mkdir(workDir, { recursive: true });
  const eachBrokerCpu = async () => [await brokerCpuSeconds(clusters.source), await brokerCpuSeconds(clusters.destination)] as const;
  const before = await eachBrokerCpu();
  const busyBefore = await machineBusySeconds();
  const selfBefore = process.cpuUsage();
  const windowStart = performance.now();
  const base = { profile: profile.name, tool: tool.name, run };
  try {
    const result = await withDeadline(
      tool.run({
        profile,
        factory,
        source: clusters.source.topics,
        destination: clusters.destination.topics,
        sourceTopic,
        libsDir: input.libsDir,
        workDir,
        runId: `r${run}`,
        timeoutMs: input.options.stepTimeoutMs,
        signal: input.signal,
        ...(profile.listener ? { saslSsl: saslSslOf(clusters) } : {}),
      }),
      input.options.stepTimeoutMs + 120_000,
      `${tool.name} run ${run}`,
    );
    const after = await eachBrokerCpu();
    const [sourceCpu, destinationCpu] = [after[0] - before[0], after[1] - before[1]];
    const brokerCpu = sourceCpu + destinationCpu;
    // Which end's broker works for a tool: the sum alone hides whether fetches or writes cost it.
    log(`${tool.name} run ${run}: source broker CPU ${sourceCpu.toFixed(1)} s, destination broker CPU ${destinationCpu.toFixed(1)} s`);
    const self = process.cpuUsage(selfBefore);
    const busy = (await machineBusySeconds()) - busyBefore;
    // Whatever else ran meanwhile: not the tool, the brokers, or this process (its loader and polls).
    const otherCpu = Math.max(0, busy - brokerCpu - result.cpuSecondsWithStop - (self.user + self.system) / 1e6);
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const record: RunRecord = { ...base, ...result, brokerCpuSeconds: brokerCpu, otherCpuSeconds: otherCpu, windowSeconds };
    const countOk = result.found === result.expected || (tool.atLeastOnce === true && result.found > result.expected);
    if (!countOk) record.error = `found ${result.found} records where ${result.expected} were expected (outcome ${result.outcome}); log in ${workDir}`;
    else if (result.outcome !== 'exited' && result.outcome !== 'reached-target') {
      const step = result.steps?.at(-1);
      record.error = `${step ? `${step.name}: ` : ''}${result.outcome} (exit ${result.exitCode}); log in ${workDir}`;
    }
    return record;
  } catch (error) {
    return {
      ...base,
      outcome: 'failed',
      exitCode: null,
      wallSeconds: Number.NaN,
      firstRecordSeconds: null,
      cpuSeconds: Number.NaN,
      cpuSecondsWithStop: Number.NaN,
      peakRssBytes: Number.NaN,
      records: profile.records,
      bytes: Number.NaN,
      expected: 0,
      found: 0,
      details: {},
      brokerCpuSeconds: Number.NaN,
      otherCpuSeconds: Number.NaN,
      windowSeconds: Number.NaN,
      error: `${(error as Error).message ?? error}; logs in ${workDir}`,
    };
  }
}

function saslSslOf(clusters: ProfileInput['clusters']): NonNullable<ToolContext['saslSsl']> {
  const [source, destination] = [clusters.source.saslSsl, clusters.destination.saslSsl];
  if (!source || !destination) throw new Error('the brokers were started without a SASL_SSL listener');
  return { source, destination };
}

function describeRun(r: RunRecord): string {
  if (r.error) return `FAILED: ${r.error}`;
  const rate = Math.round(r.records / r.wallSeconds).toLocaleString('en-US');
  const steps = r.steps ? ` (${r.steps.map((s) => `${s.name} ${s.wallSeconds.toFixed(1)} s`).join(', ')})` : '';
  return `${r.wallSeconds.toFixed(1)} s${steps}, ${rate} msgs/s, CPU ${r.cpuSeconds.toFixed(1)} s, RSS ${(r.peakRssBytes / 1e6).toFixed(0)} MB, brokers CPU ${r.brokerCpuSeconds.toFixed(1)} s, others CPU ${r.otherCpuSeconds.toFixed(1)} s, ${r.found}/${r.expected} records`;
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function installSignalHandlers(controller: AbortController): void {
  process.on('exit', killAllTools);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (controller.signal.aborted) {
        log('second interrupt: exiting now');
        killAllTools();
        process.exit(130);
      }
      log(`${signal}: stopping the running tool and the brokers (again to exit at once)`);
      controller.abort();
      killAllTools();
    });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
