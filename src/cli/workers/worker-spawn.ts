import { type ChildProcess, spawn } from 'node:child_process';
import type { SpawnWorker } from '../../workers/worker-process.ts';
import type { ClusterFlags } from '../options/cluster-options.ts';
import type { CopyFlags } from '../options/copy-options.ts';
import { workerArgs } from './worker-args.ts';

const live = new Set<ChildProcess>();
let killOnExit = false;

/**
 * Workers are this same command line, `kreroute --json copy <plan> --shard I/N …`, started with the
 * running Node and entry file (src/cli/main.ts, or the bundle's dist/bin/kreroute.mjs).
 */
export function cliWorkerSpawner(
  planFile: string,
  stateDir: string,
  flags: ClusterFlags & CopyFlags & { metricsReport?: boolean; metricsPartitions?: boolean },
): SpawnWorker {
  const entry = process.argv[1];
  if (!entry) throw new Error('cannot start workers: the running kreroute entry file is unknown');
  // Node flags such as --enable-source-maps carry over; an inspector port would clash.
  const nodeFlags = process.execArgv.filter((flag) => !flag.startsWith('--inspect'));
  return (spec) => {
    // A process group of its own: Ctrl-C in a terminal reaches the supervisor alone, which passes
    // one SIGTERM on. A worker given the terminal's SIGINT as well would take the second signal
    // for "stop at once" and skip saving its checkpoint. Its stdin is a pipe nothing is written
    // to: it closes when the supervisor ends, however it ends (see --supervised).
    const child = spawn(process.execPath, [...nodeFlags, entry, ...workerArgs(planFile, stateDir, flags, spec)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    live.add(child);
    child.once('close', () => live.delete(child));
    if (!killOnExit) {
      killOnExit = true;
      // The supervisor stopped at once (a second Ctrl-C): its workers must not copy on unwatched.
      process.on('exit', () => {
        for (const worker of live) worker.kill('SIGKILL');
      });
    }
    return child;
  };
}
