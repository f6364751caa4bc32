import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KrerouteError } from '../errors.ts';
import { type ProcessIdentity, describeHolder, holderState, parseHolder, thisProcess } from './process-identity.ts';

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
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(mine);
      await file.close();
      return async () => {
        if ((await readFile(path, 'utf8').catch(() => '')) === mine) await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const content = await readFile(path, 'utf8').catch(() => null);
      if (content === null) continue;
      const holder = parseHolder(content);
      const state = await holderState(holder, me);
      if (state === 'running') {
        throw new KrerouteError('RESUME_CONFLICT', `another copier (${describeHolder(holder)}) is running this plan from ${stateDir}`, {
          hint: 'wait for it to finish or stop it; two at-least-once copiers would duplicate records',
        });
      }
      if (state === 'elsewhere') {
        throw new KrerouteError('RESUME_CONFLICT', `the state folder ${stateDir} is locked by a copier on ${holder?.host ?? 'an unknown host'} (${describeHolder(holder)})`, {
          hint: `make sure it is not running, then delete ${path}`,
        });
      }
      await takeOver(path, content, me.token);
    }
  }
  throw new KrerouteError('RESUME_CONFLICT', `cannot lock ${path}: other copiers keep taking it`, { hint: 'run one copier per state folder' });
}

/**
 * Removes the stale lock `content`, and only it: two copiers that both found it stale must not
 * remove the lock the faster one has just written. It is moved aside first (atomic), then checked.
 */
async function takeOver(path: string, content: string, token: string): Promise<void> {
  const aside = `${path}.${token}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((await readFile(aside, 'utf8').catch(() => null)) !== content) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

