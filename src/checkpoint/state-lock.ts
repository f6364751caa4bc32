import { open, readFile, rm, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KrerouteError } from '../errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One at-least-once copier per state folder: two would both write and duplicate each other's
 * records (exactly-once copies need no lock: the newer copier fences the older). A lock left by a
 * process that no longer runs on this host is taken over.
 */
export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const path = join(stateDir, 'copy.lock');
  const me = `${hostname()} ${process.pid}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(me);
      await file.close();
      return async () => {
        if ((await readFile(path, 'utf8').catch(() => '')) === me) await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [host, pid] = (await readFile(path, 'utf8').catch(() => '')).split(' ');
      if (host === hostname() && pid && alive(Number(pid))) {
        throw new KrerouteError('RESUME_CONFLICT', `another copier (pid ${pid}) is running this plan from ${stateDir}`, {
          hint: 'wait for it to finish or stop it; two at-least-once copiers would duplicate records',
        });
      }
      if (host !== hostname()) {
        throw new KrerouteError('RESUME_CONFLICT', `the state folder ${stateDir} is locked by a copier on ${host}`, {
          hint: `make sure it is not running, then delete ${path}`,
        });
      }
      await rm(path, { force: true });
    }
  }
  throw new KrerouteError('RESUME_CONFLICT', `cannot lock ${path}`);
}
