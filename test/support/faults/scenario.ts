import { Admin } from '@platformatic/kafka';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Plan, type PlanRequest, type VerifyReport, createPlan, verifyPlan, writePlanFile } from '../../../src/index.ts';
import { loadCheckpoint } from '../../../src/checkpoint/copy-checkpoint.ts';
import { uniqueName } from '../clusters.ts';
import { cluster, produce, record } from '../fixtures.ts';
import type { FaultClusters } from './clusters.ts';
import { type Exit, type Proc, describeExit, runCli, tail } from './processes.ts';

export type Mode = 'exactly-once' | 'at-least-once';

/** What a job needs of the clusters: the fault suite's own, or the ones `npm test` shares. */
export type JobClusters = Pick<FaultClusters, 'sourceSettings' | 'destinationSettings'> & { source: { bootstrap: string }; destination: { bootstrap: string } };

export interface Job {
  plan: Plan;
  planFile: string;
  stateDir: string;
  workDir: string;
  /** `copy` arguments without extras: plan, mode, clusters, state dir. */
  copyArgs: string[];
}

/** A plan of `topics` (earliest → latest) written to a fresh work folder, and the copy command for it. */
export async function makeJob(
  clusters: JobClusters,
  name: string,
  mode: Mode,
  request: Omit<PlanRequest, 'source' | 'destination' | 'from' | 'to'> & Partial<Pick<PlanRequest, 'from' | 'to'>>,
): Promise<Job> {
  const workDir = await mkdtemp(join(tmpdir(), `kreroute-fault-${name}-`));
  const plan = await createPlan({
    source: clusters.sourceSettings,
    destination: clusters.destinationSettings,
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    createTopics: true,
    exact: true,
    ...request,
  });
  const planFile = join(workDir, 'plan.json');
  await writePlanFile(planFile, plan);
  const stateDir = join(workDir, 'state');
  return {
    plan,
    planFile,
    stateDir,
    workDir,
    copyArgs: [
      'copy',
      planFile,
      '--mode',
      mode,
      '--source',
      clusters.source.bootstrap,
      '--destination',
      clusters.destination.bootstrap,
      '--state-dir',
      stateDir,
    ],
  };
}

export function topicName(prefix: string): string {
  return uniqueName(`fault-${prefix}`);
}

/** Starts `kreroute copy` for the job; its output also goes to <workDir>/cli.log. */
export function startCopy(job: Job, extra: string[] = [], env?: NodeJS.ProcessEnv): Proc {
  return runCli([...job.copyArgs, ...extra], { logFile: join(job.workDir, 'cli.log'), ...(env ? { env } : {}) });
}

/** Records copied so far according to the local checkpoint (exactly-once: its mirror), -1 when none. */
export async function copiedSoFar(job: Job): Promise<number> {
  const checkpoint = await loadCheckpoint(job.stateDir, job.plan.hash).catch(() => null);
  return checkpoint ? Object.values(checkpoint.sources).reduce((n, s) => n + s.copied, 0) : -1;
}

/** kreroute's own verdict (library call). */
export async function verify(clusters: JobClusters, job: Job): Promise<VerifyReport> {
  return verifyPlan(job.plan, { source: clusters.sourceSettings, destination: clusters.destinationSettings, stateDir: job.stateDir });
}

export function failedPartitions(report: VerifyReport): string {
  return JSON.stringify(
    report.partitions
      .filter((x) => !x.passed)
      .map((x) => ({ ...x, missing: x.missing.slice(0, 3), extra: x.extra.slice(0, 3), altered: x.altered.slice(0, 3) })),
    null,
    1,
  );
}

/** Sum of the log end offsets of a topic's partitions (any isolation: what is physically there). */
export async function endOffsets(bootstrap: string, topic: string, partitions: number): Promise<bigint[]> {
  const c = cluster(bootstrap);
  try {
    return (await c.listOffsets(topic, [...Array(partitions).keys()], { kind: 'latest' }, false)).map((l) => l.offset);
  } finally {
    await c.close();
  }
}

export async function logStarts(bootstrap: string, topic: string, partitions: number[]): Promise<bigint[]> {
  const c = cluster(bootstrap);
  try {
    return (await c.listOffsets(topic, partitions, { kind: 'earliest' })).map((l) => l.offset);
  } finally {
    await c.close();
  }
}

/** Throws with the CLI's output unless it exited with `code`. */
export function expectExit(proc: Proc, exit: Exit, code: number, what: string): void {
  if (exit.code !== code)
    throw new Error(`${what}: expected exit ${code}, got ${describeExit(exit)}\nstderr:\n${tail(proc.stderr())}\nstdout:\n${tail(proc.stdout())}`);
}

/** The `result` object a `--json` CLI run printed, or undefined. */
export function jsonResult(proc: Proc): Record<string, unknown> | undefined {
  for (const line of proc.stdout().split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (parsed['type'] === 'result') return parsed;
  }
  return undefined;
}

export function elapsed(since: number): number {
  return (Date.now() - since) / 1000;
}

/**
 * Writes `perPartition` records to each of `partitions` partitions: value "<tag>-p<partition>-<n>"
 * padded with dots to `valueBytes`, key "k<n mod 1000>". What the source then holds is read back
 * with kcat (the oracle), not taken from here.
 */
export async function loadSequenced(
  bootstrap: string,
  topic: string,
  partitions: number,
  perPartition: number,
  options: { valueBytes?: number; batch?: number; tag?: string } = {},
): Promise<void> {
  const valueBytes = options.valueBytes ?? 100;
  const tag = options.tag ?? 'r';
  const byPartition = new Map(
    [...Array(partitions).keys()].map((p) => [
      p,
      Array.from({ length: perPartition }, (_, i) => record(`k${i % 1000}`, `${tag}-p${p}-${i}`.padEnd(valueBytes, '.'))),
    ]),
  );
  await produce(bootstrap, topic, byPartition, options.batch ?? 500);
}

/** Sets a topic's cleanup.policy (with the client library's Admin, not kreroute's code). */
export async function setCleanupPolicy(bootstrap: string, topic: string, policy: 'compact' | 'delete'): Promise<void> {
  const admin = new Admin({ clientId: 'kreroute-fault-suite', bootstrapBrokers: [bootstrap] });
  try {
    await admin.incrementalAlterConfigs({
      resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'cleanup.policy', configOperation: 0, value: policy }] }],
    });
  } finally {
    await admin.close();
  }
}
