import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** One process as /proc/<pid>/stat shows it. CPU in seconds, RSS in bytes. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  comm: string;
  /** user + system time of the process itself (all threads). */
  cpuSeconds: number;
  /** user + system time of its children that it has waited for. */
  childCpuSeconds: number;
  rssBytes: number;
}

const CLK_TCK = getconf('CLK_TCK', 100);
const PAGE_SIZE = getconf('PAGESIZE', 4096);

function getconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

export async function readStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  // comm is in parentheses and may hold spaces; the fields after it are space-separated (field 3 first).
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' ');
  const field = (n: number) => Number(f[n - 3]);
  return {
    pid,
    ppid: field(4),
    pgrp: field(5),
    comm,
    cpuSeconds: (field(14) + field(15)) / CLK_TCK,
    childCpuSeconds: (field(16) + field(17)) / CLK_TCK,
    rssBytes: field(24) * PAGE_SIZE,
  };
}

/** Every live process of a process group. */
export async function groupMembers(pgid: number): Promise<ProcStat[]> {
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
  const stats = await Promise.all(pids.map(readStat));
  return stats.filter((s): s is ProcStat => s !== undefined && s.pgrp === pgid);
}

/** The peak resident set size of one process over its life (VmHWM), in bytes. */
export async function peakRss(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds the whole machine has spent busy (all cores, everything but idle and iowait), from /proc/stat. */
export async function machineBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLK_TCK;
}
