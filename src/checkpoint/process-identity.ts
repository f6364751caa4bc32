import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/**
 * Who holds a state lock. A PID alone is not an identity: after a reboot or in a restarted
 * container (where the copier is PID 1 again) the same number names another process. The
 * kernel's boot id and the PID's start time (in clock ticks since boot, /proc/<pid>/stat) tell.
 */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** null where /proc is not there (macOS): then only "is that PID alive" can be asked. */
  bootId: string | null;
  startTicks: string | null;
  token: string;
}

export async function thisProcess(): Promise<Omit<ProcessIdentity, 'token'>> {
  return { host: hostname(), pid: process.pid, bootId: await bootId(), startTicks: await startTicks(process.pid) };
}

/** A lock file's holder; an older kreroute wrote "<host> <pid>". null: unreadable. */
export function parseHolder(content: string): Partial<ProcessIdentity> | null {
  try {
    const parsed = JSON.parse(content) as Partial<ProcessIdentity>;
    if (typeof parsed.host === 'string' && typeof parsed.pid === 'number') return parsed;
  } catch {
    const [host, pid] = content.split(' ');
    if (host && pid && /^\d+$/.test(pid)) return { host, pid: Number(pid) };
  }
  return null;
}

export function describeHolder(holder: Partial<ProcessIdentity> | null): string {
  return holder?.pid !== undefined ? `pid ${holder.pid}` : 'unreadable lock';
}

/**
 * running: that very process still runs here. gone: it does not (its PID is free or now names
 * another process, the host rebooted, or the lock is unreadable). elsewhere: it ran on another host.
 */
export async function holderState(holder: Partial<ProcessIdentity> | null, me: ProcessIdentity): Promise<'running' | 'gone' | 'elsewhere'> {
  if (!holder || holder.pid === undefined) return 'gone';
  if (holder.host !== me.host) return 'elsewhere';
  if (holder.bootId && me.bootId && holder.bootId !== me.bootId) return 'gone';
  if (holder.startTicks === undefined) {
    // An older kreroute's lock: this process never took it, so its PID names someone else now.
    return holder.pid !== me.pid && alive(holder.pid) ? 'running' : 'gone';
  }
  if (!alive(holder.pid)) return 'gone';
  if (holder.startTicks === null) return 'running';
  return (await startTicks(holder.pid)) === holder.startTicks ? 'running' : 'gone';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function bootId(): Promise<string | null> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => null))?.trim() ?? null;
}

/** Field 22 of /proc/<pid>/stat, counted after the command name (which may hold spaces and parentheses). */
async function startTicks(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}
