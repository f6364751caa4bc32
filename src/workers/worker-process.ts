import type { Readable } from 'node:stream';
import type { ShardRef } from '../shard/shard-layout.ts';

/** What one worker is asked to copy, and with which share of the job's limits. */
export interface WorkerSpec {
  /** null: the whole plan (a job copied whole before, or one worker). */
  shard: ShardRef | null;
  maxRatePerSec?: number;
  memoryBudgetBytes?: number;
}

/**
 * A running worker: a `kreroute copy <plan> --json …` process, or anything that speaks the same
 * JSON lines on stdout (a Node ChildProcess fits as it is).
 */
export interface WorkerProcess {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal: NodeJS.Signals): boolean;
  once(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
}

/** Starts a worker; the CLI spawns itself, a library user may spawn what it likes. */
export type SpawnWorker = (spec: WorkerSpec) => WorkerProcess;
