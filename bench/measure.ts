import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { groupMembers, peakRss } from './proc.ts';
import { sleep } from './topics.ts';

export interface MeasureSpec {
  command: string;
  args: string[];
  /** stdout and stderr of the tool are appended here. */
  logFile: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Records on the destination so far; polled while the tool runs. */
  progress?: () => Promise<number>;
  /** The record count that means "done". */
  target?: number;
  /** Stop the tool once progress reaches target (for a tool that never exits, like MirrorMaker). */
  stopAtTarget?: boolean;
  signal: AbortSignal;
}

export type Outcome = 'exited' | 'reached-target' | 'failed' | 'timeout' | 'aborted';

export interface Measurement {
  outcome: Outcome;
  exitCode: number | null;
  /** From spawn to exit, or (stopAtTarget) to the poll that saw the target reached. */
  wallSeconds: number;
  /** From spawn to the first poll that saw a record on the destination; null without progress. */
  firstRecordSeconds: number | null;
  /** user + system CPU of the tool's whole process tree (stopAtTarget: up to the target). */
  cpuSeconds: number;
  /** The same, including shutting down after the target (as last sampled): for telling the tool from background load. */
  cpuSecondsWithStop: number;
  /** Highest resident memory of the process tree: sampled sum over its processes, or one process's VmHWM. */
  peakRssBytes: number;
}

const SAMPLE_MS = 200;
const STOP_GRACE_MS = 30_000;
const TIME = '/usr/bin/time';

/** Process groups of running tools, killed on Ctrl-C or exit. */
const liveGroups = new Set<number>();

export function killAllTools(): void {
  for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export function checkTimeInstalled(): void {
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: install GNU time (apt-get install time); the benchmark reads CPU time from it`);
}

/**
 * Runs a tool in its own process group under GNU time, samples its tree's memory from /proc,
 * polls destination progress, and stops it on target, timeout or abort.
 */
export async function measure(spec: MeasureSpec): Promise<Measurement> {
  const timeFile = `${spec.logFile}.time`;
  const fd = openSync(spec.logFile, 'a');
  const child = spawn(TIME, ['-f', '%U %S %M %e', '-o', timeFile, spec.command, ...spec.args], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  });
  closeSync(fd);
  const started = performance.now();
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`could not start ${spec.command}`);
  liveGroups.add(pgid);
  let exitCode: number | null = null;
  let exitedAt: number | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      exitedAt = performance.now();
      resolve();
    }),
  );
  child.on('error', () => {});

  const seconds = (at: number) => (at - started) / 1000;
  let peakSum = 0;
  const hwm = new Map<number, number>();
  let firstRecordAt: number | undefined;
  let reachedAt: number | undefined;
  let cpuAtTarget: number | undefined;
  let outcome: Outcome | undefined;
  let polling: Promise<void> | undefined;

  const sample = async () => {
    const members = (await groupMembers(pgid)).filter((m) => m.pid !== pgid); // not GNU time itself
    peakSum = Math.max(
      peakSum,
      members.reduce((sum, m) => sum + m.rssBytes, 0),
    );
    for (const m of members) hwm.set(m.pid, Math.max(hwm.get(m.pid) ?? 0, await peakRss(m.pid)));
    return members;
  };
  const poll = async () => {
    const count = await spec.progress!().catch(() => 0);
    const now = performance.now();
    if (count > 0 && firstRecordAt === undefined) firstRecordAt = now;
    if (spec.target !== undefined && count >= spec.target && reachedAt === undefined) reachedAt = now;
  };

  while (exitedAt === undefined) {
    const members = await sample();
    if (spec.progress && !polling) polling = poll().finally(() => (polling = undefined));
    if (reachedAt !== undefined && spec.stopAtTarget) {
      cpuAtTarget = members.reduce((sum, m) => sum + m.cpuSeconds + m.childCpuSeconds, 0);
      outcome = 'reached-target';
      break;
    }
    if (spec.signal.aborted) {
      outcome = 'aborted';
      break;
    }
    if (performance.now() - started > spec.timeoutMs) {
      outcome = 'timeout';
      break;
    }
    await Promise.race([sleep(SAMPLE_MS), exited]);
  }
  let cpuWithStop: number | undefined;
  if (outcome === 'reached-target') {
    // Keep sampling while it shuts down: its CPU then is not the copy's, but it is not background either.
    killGroup(pgid, 'SIGTERM');
    for (const stopBy = performance.now() + STOP_GRACE_MS; exitedAt === undefined && performance.now() < stopBy; ) {
      const members = (await groupMembers(pgid)).filter((m) => m.pid !== pgid);
      cpuWithStop = Math.max(
        cpuWithStop ?? 0,
        members.reduce((sum, m) => sum + m.cpuSeconds + m.childCpuSeconds, 0),
      );
      await Promise.race([sleep(SAMPLE_MS), exited]);
    }
  }
  killGroup(pgid, 'SIGKILL'); // whatever is left: a timeout, an abort, or orphans of the tree
  await Promise.race([exited, sleep(5_000)]);
  liveGroups.delete(pgid);
  await polling;
  if (spec.progress && outcome === undefined) await poll(); // a last look: the tool may finish between two polls

  const time = await readTime(timeFile);
  outcome ??= exitCode === 0 ? 'exited' : 'failed';
  const peakRssBytes = Math.max(peakSum, ...hwm.values(), outcome === 'exited' || outcome === 'failed' ? time.maxRssBytes : 0);
  return {
    outcome,
    exitCode,
    wallSeconds: seconds(outcome === 'reached-target' ? reachedAt! : (exitedAt ?? performance.now())),
    firstRecordSeconds: firstRecordAt === undefined ? null : seconds(firstRecordAt),
    cpuSeconds: cpuAtTarget ?? time.cpuSeconds,
    cpuSecondsWithStop: Math.max(cpuWithStop ?? 0, cpuAtTarget ?? time.cpuSeconds),
    peakRssBytes,
  };
}

/** GNU time's `%U %S %M %e` line (the last line; a "Command exited with non-zero status" line may precede it). */
async function readTime(file: string): Promise<{ cpuSeconds: number; maxRssBytes: number }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const last = text.trim().split('\n').pop() ?? '';
  const [user, system, maxRssKb] = last.split(' ').map(Number);
  if (user === undefined || system === undefined || maxRssKb === undefined || [user, system, maxRssKb].some(Number.isNaN)) {
    return { cpuSeconds: Number.NaN, maxRssBytes: 0 };
  }
  return { cpuSeconds: user + system, maxRssBytes: maxRssKb * 1024 };
}
