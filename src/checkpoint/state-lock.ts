import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KrerouteError } from '../common/errors.ts';
import { type ProcessIdentity, describeHolder, holderState, parseHolder, thisProcess } from './process-identity.ts';

const ATTEMPTS = 100;
const RETRY_MS = 20;

/**
 * One at-least-once copier per state folder: two would both write and duplicate each other's
 * records (exactly-once copies need no lock: the newer copier fences the older). The lock names
 * its holder by host, boot, PID and the PID's start time: a lock whose process is gone, or whose
 * PID now belongs to another process (PID 1 of a restarted container), is taken over. A holder on
 * another host cannot be checked from here (a folder shared over the network): that lock stays
 * until someone who knows it is not running deletes it. Containers that share a folder must have
 * hostnames of their own (Docker's and Kubernetes' default): a PID of another container's
 * namespace cannot be checked, and a lock of the same hostname is taken for this container's.
 */
export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const path = join(stateDir, 'copy.lock');
  const me: ProcessIdentity = { ...(await thisProcess()), token: randomUUID() };
  const mine = JSON.stringify(me);
  const release = async () => {
    if ((await readFile(path, 'utf8').catch(() => '')) === mine) await rm(path, { force: true });
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(path, mine)) return release;
    const content = await readFile(path, 'utf8').catch(() => null);
    if (content === null) continue;
    // Being written (where files cannot appear whole): look again before judging it.
    if (content === '' && attempt < ATTEMPTS / 2) {
      await sleep(RETRY_MS);
      continue;
    }
    const holder = parseHolder(content);
    const state = await holderState(holder, me);
    if (state === 'running') {
      throw new KrerouteError('RESUME_CONFLICT', `another copier (${describeHolder(holder)}) is running this plan from ${stateDir}`, {
        hint: 'wait for it to finish or stop it; two at-least-once copiers would duplicate records',
      });
    }
    if (state === 'elsewhere') {
      throw new KrerouteError(
        'RESUME_CONFLICT',
        `the state folder ${stateDir} is locked by a copier on ${holder?.host ?? 'an unknown host'} (${describeHolder(holder)})`,
        {
          hint: `make sure it is not running, then delete ${path}`,
        },
      );
    }
    if (await takeOver(path, content, mine, me)) return release;
    await sleep(RETRY_MS);
  }
  throw new KrerouteError('RESUME_CONFLICT', `cannot lock ${path}: other copiers keep taking it`, { hint: 'run one copier per state folder' });
}

/** Creates `path` holding `content` unless it exists. Readers never see it empty: it appears whole (link is atomic). */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const draft = `${path}.${randomUUID()}`;
  await writeFile(draft, content);
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: created exclusively, then written (a reader may see it empty for a moment).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return createThenWrite(path, content);
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}

async function createThenWrite(path: string, content: string): Promise<boolean> {
  try {
    const file = await open(path, 'wx');
    await file.writeFile(content);
    await file.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Replaces the stale lock `stale` with ours. Copiers that all found it stale must not replace each
 * other's fresh lock: only the one that creates the takeover file (exclusively) may replace it, and
 * only while it still holds `stale`. false: another copier is taking over; look again.
 */
async function takeOver(path: string, stale: string, mine: string, me: ProcessIdentity): Promise<boolean> {
  const marker = `${path}.takeover`;
  if (!(await createExclusive(marker, mine))) {
    // A taker that died between creating the marker and removing it (milliseconds) left it behind.
    const taker = await readFile(marker, 'utf8').catch(() => null);
    if (taker && (await holderState(parseHolder(taker), me)) === 'gone' && (await readFile(marker, 'utf8').catch(() => null)) === taker)
      await rm(marker, { force: true });
    return false;
  }
  try {
    if ((await readFile(path, 'utf8').catch(() => null)) !== stale) return false;
    const fresh = `${path}.${me.token}`;
    await writeFile(fresh, mine);
    await rename(fresh, path);
    return true;
  } finally {
    await rm(marker, { force: true });
  }
}
