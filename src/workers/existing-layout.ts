import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointPath } from '../checkpoint/copy-checkpoint.ts';
import { KrerouteError } from '../errors.ts';

export type ExistingLayout = { kind: 'none' } | { kind: 'whole' } | { kind: 'shards'; count: number };

const SHARD_DIR = /^shard-(\d+)-of-(\d+)$/;

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * How an earlier run on this machine copied the plan, from the checkpoints in its state folder:
 * whole (`<state-dir>/checkpoint.json`) or as N shards (`<state-dir>/shard-I-of-N/checkpoint.json`).
 * A layout begun elsewhere is known only to the destination; the copy itself refuses to mix them.
 */
export async function existingLayout(stateDir: string): Promise<ExistingLayout> {
  const entries = await readdir(stateDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const counts = new Set<number>();
  for (const entry of entries) {
    const match = entry.isDirectory() ? SHARD_DIR.exec(entry.name) : null;
    if (match && (await exists(checkpointPath(join(stateDir, entry.name))))) counts.add(Number(match[2]));
  }
  const whole = await exists(checkpointPath(stateDir));
  if (counts.size + (whole ? 1 : 0) > 1) {
    const layouts = [...(whole ? ['whole'] : []), ...[...counts].map((n) => `${n} shards`)];
    throw new KrerouteError('CHECKPOINT_MISMATCH', `the state folder ${stateDir} holds checkpoints of several layouts of this plan (${layouts.join(', ')})`, {
      hint: 'finish the copy with --shard I/N for the layout that holds progress, or give another --state-dir',
    });
  }
  if (whole) return { kind: 'whole' };
  const [count] = counts;
  return count === undefined ? { kind: 'none' } : { kind: 'shards', count };
}
