import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BenchCluster, brokerCpuSeconds } from '../clusters.ts';
import { machineBusySeconds } from '../proc.ts';
import { waitForIdleBrokers } from '../settle.ts';
import type { ScaleNetwork } from './network.ts';
import { type OracleResult, checkCopy } from './oracle.ts';
import { type KillRecord, type ShardOutcome, runShards } from './shards.ts';
import { type CliCommand, commandText, runCli } from './worker.ts';

/** One copy of the source topic: `workers` shards at once, each in its namespace behind its capped link (or all on loopback). */
export interface RunSpec {
  label: string;
  workers: number;
  /** true: each worker in its namespace behind its capped veth; false: in the brokers' namespace, loopback, no cap. */
  link: boolean;
  kill: boolean;
}

export interface RunResult extends RunSpec {
  plan: { command: string; seconds: number; cpuSeconds: number; records: number; bytes: number };
  copy: { wallSeconds: number; shards: ShardOutcome[]; kill: KillRecord | undefined; timedOut: boolean };
  brokersCpuSeconds: number;
  workersCpuSeconds: number;
  /** The whole machine's busy CPU over the copy, in cores (of nproc). */
  machineBusyCores: number;
  /** Busy cores not explained by the brokers, the workers or this benchmark: other work on the machine. */
  otherCores: number;
  loadavgMax: number;
  oracle: OracleResult | undefined;
  verify:
    | { command: string; exitCode: number | null; passed: boolean | undefined; seconds: number; cpuSeconds: number; message: string | undefined }
    | undefined;
  error: string | undefined;
}

export interface RunContext {
  source: BenchCluster;
  destination: BenchCluster;
  network: ScaleNetwork;
  launcher: string;
  workDir: string;
  sourceTopic: string;
  partitions: number;
  killAfterS: number;
  oracleAll: boolean;
  copyArgs: string[];
  timeoutMs: number;
  log: (line: string) => void;
}

export async function runScale(spec: RunSpec, ctx: RunContext): Promise<RunResult> {
  const dir = path.join(ctx.workDir, spec.label);
  await mkdir(dir, { recursive: true });
  const S = ctx.source.local.bootstrap;
  const D = ctx.destination.local.bootstrap;
  const destinationTopic = `scale-dst-${spec.label}`;
  const planFile = path.join(dir, 'plan.json');
  const logFile = path.join(dir, 'cli.log');
  const cli = (ns: string | undefined, args: string[]): CliCommand => ({ ns, launcher: ctx.launcher, args, logFile });

  // A plan of its own, with a fresh destination topic, for every run.
  const planCommand = cli(undefined, [
    'plan',
    '--source',
    S,
    '--destination',
    D,
    '--topic',
    ctx.sourceTopic,
    '--dest-topic',
    destinationTopic,
    '--create-topics',
    '--exact',
    '--out',
    planFile,
  ]);
  const planExit = await runCli(planCommand, ctx.timeoutMs);
  if (planExit.code !== 0) throw new Error(`${spec.label}: plan failed (exit ${planExit.code ?? planExit.signal}); log ${logFile}`);
  const plan = JSON.parse(await readFile(planFile, 'utf8')) as { estimate: { records: number; bytes: number } };
  ctx.log(`${spec.label}: plan --exact ${plan.estimate.records} records, ${(plan.estimate.bytes / 1e6).toFixed(0)} MB in ${planExit.seconds.toFixed(1)} s`);

  if (!(await waitForIdleBrokers([ctx.source, ctx.destination]))) ctx.log(`${spec.label}: the brokers did not go idle within 90 s; running anyway`);
  const commands = Array.from({ length: spec.workers }, (_, i) =>
    cli(spec.link ? ctx.network.workers[i]!.ns : undefined, [
      'copy',
      planFile,
      ...(spec.workers > 1 ? ['--shard', `${i}/${spec.workers}`] : []),
      '--source',
      S,
      '--destination',
      D,
      '--state-dir',
      path.join(dir, `state-w${i + 1}`),
      ...ctx.copyArgs,
    ]),
  );
  const brokersCpu = async () => (await brokerCpuSeconds(ctx.source)) + (await brokerCpuSeconds(ctx.destination));
  const [brokersBefore, busyBefore, selfBefore] = [await brokersCpu(), await machineBusySeconds(), process.cpuUsage()];
  let loadavgMax = os.loadavg()[0]!;
  const loadSampler = setInterval(() => (loadavgMax = Math.max(loadavgMax, os.loadavg()[0]!)), 1000);
  ctx.log(
    `${spec.label}: copying with ${spec.workers} worker(s)${spec.link ? `, each behind a ${ctx.network.rateMbit} Mbit/s link` : ' on loopback, no cap'}${spec.kill ? `; worker 1 is killed ${ctx.killAfterS} s after it starts, then restarted` : ''}`,
  );
  const copy = await runShards({ commands, killShard: spec.kill ? 0 : undefined, killAfterS: ctx.killAfterS, timeoutMs: ctx.timeoutMs }).finally(() =>
    clearInterval(loadSampler),
  );
  const brokersCpuSeconds = (await brokersCpu()) - brokersBefore;
  const busy = (await machineBusySeconds()) - busyBefore;
  const self = process.cpuUsage(selfBefore);
  const workersCpuSeconds = copy.shards.reduce((sum, s) => sum + s.cpuSeconds, 0);
  const otherCpu = Math.max(0, busy - brokersCpuSeconds - workersCpuSeconds - (self.user + self.system) / 1e6);
  const failed = copy.shards.filter((s) => !s.ok);
  ctx.log(
    `${spec.label}: copied in ${copy.wallSeconds.toFixed(1)} s${failed.length > 0 ? `; FAILED shards ${failed.map((s) => s.shard).join(', ')} (log ${logFile})` : ''}`,
  );

  const result: RunResult = {
    ...spec,
    plan: {
      command: commandText(planCommand),
      seconds: planExit.seconds,
      cpuSeconds: planExit.cpuSeconds,
      records: plan.estimate.records,
      bytes: plan.estimate.bytes,
    },
    copy,
    brokersCpuSeconds,
    workersCpuSeconds,
    machineBusyCores: busy / copy.wallSeconds,
    otherCores: otherCpu / copy.wallSeconds,
    loadavgMax,
    oracle: undefined,
    verify: undefined,
    error: copy.timedOut
      ? `timed out after ${ctx.timeoutMs / 1000} s`
      : failed.length > 0
        ? `shard(s) ${failed.map((s) => s.shard).join(', ')} failed; log ${logFile}`
        : undefined,
  };
  if (result.error) return result;

  // The independent oracle, then kreroute's own verify of the whole plan from a fresh state folder.
  if (spec.kill || ctx.oracleAll) {
    result.oracle = await checkCopy({
      source: S,
      destination: D,
      sourceTopic: ctx.sourceTopic,
      destinationTopic,
      partitions: ctx.partitions,
      timeoutMs: ctx.timeoutMs,
    });
    const o = result.oracle;
    ctx.log(
      `${spec.label}: oracle: ${o.source} source, ${o.destination} destination records; lost ${o.lost}, duplicated ${o.duplicated}, extra ${o.extra}, same sequence ${o.allSameSequence} (${o.seconds.toFixed(1)} s)`,
    );
  }
  const verifyCommand = cli(undefined, ['verify', planFile, '--source', S, '--destination', D, '--state-dir', path.join(dir, 'verify-state')]);
  const verifyExit = await runCli(verifyCommand, ctx.timeoutMs);
  const report = verifyExit.result?.report as { passed?: boolean } | undefined;
  result.verify = {
    command: commandText(verifyCommand),
    exitCode: verifyExit.code,
    passed: report?.passed,
    seconds: verifyExit.seconds,
    cpuSeconds: verifyExit.cpuSeconds,
    message: verifyExit.code === 0 ? undefined : await lastErrorLine(logFile),
  };
  ctx.log(`${spec.label}: kreroute verify: exit ${verifyExit.code}, passed ${report?.passed} (${verifyExit.seconds.toFixed(1)} s)`);
  return result;
}

/** The CLI's last `kreroute: CODE: …` line in the log (its error, with --json on stderr). */
async function lastErrorLine(logFile: string): Promise<string | undefined> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const lines = text.split('\n').filter((l) => l.includes('"type":"error"') || l.startsWith('kreroute:'));
  return lines.at(-1)?.slice(0, 400);
}
