import type { ClientSettings } from '../kafka/client/client-settings.ts';
import { copiedBy } from '../checkpoint/copy-checkpoint.ts';
import { openPlanCluster } from '../plan/plan-clusters.ts';
import type { Plan } from '../plan/plan.ts';
import { type CopyPart, readJobState } from './job-state.ts';
import type { ShardRef } from './shard-layout.ts';

/** A checkpoint older than this, of a copy not complete, means its copier is not running. */
const STALE_AFTER_MS = 30_000;

export interface PartStatus {
  /** null: the whole plan, copied without shards. */
  shard: ShardRef | null;
  state: 'done' | 'copying' | 'stopped' | 'waiting';
  mode: 'exactly-once' | 'at-least-once' | null;
  copied: number;
  /** The plan's estimate for this part (exact with `plan --exact`). */
  planned: number;
  /** Records per second of the run that saved the last checkpoint, while it runs. */
  ratePerSec: number | null;
  etaSeconds: number | null;
  updatedAt: string | null;
}

export interface JobStatus {
  planHash: string;
  layout: 'none' | 'whole' | 'sharded';
  parts: PartStatus[];
  total: { copied: number; planned: number; ratePerSec: number | null; etaSeconds: number | null; done: boolean };
}

export interface StatusOptions {
  destination: ClientSettings;
  stateDir: string;
  checkpointTopic?: string;
  /** Default: now. */
  now?: number;
}

/** Where the copy of a plan stands, per shard and in total, from the checkpoints the destination (and this state folder) hold. */
export async function jobStatus(plan: Plan, options: StatusOptions): Promise<JobStatus> {
  const destination = await openPlanCluster(plan, 'destination', options.destination);
  try {
    const state = await readJobState(plan, destination, {
      stateDir: options.stateDir,
      waitForOpenTransactions: false,
      ...(options.checkpointTopic ? { checkpointTopic: options.checkpointTopic } : {}),
    });
    const now = options.now ?? Date.now();
    const parts = state.parts.map((part) => statusOf(part, now));
    const copied = parts.reduce((sum, p) => sum + p.copied, 0);
    const rates = parts.filter((p) => p.ratePerSec !== null);
    const ratePerSec = rates.length > 0 ? rates.reduce((sum, p) => sum + p.ratePerSec!, 0) : null;
    const etas = parts.map((p) => p.etaSeconds);
    const done = parts.length > 0 && parts.every((p) => p.state === 'done');
    return {
      planHash: plan.hash,
      layout: state.layout.kind,
      parts,
      total: {
        copied,
        planned: plan.estimate.records,
        ratePerSec,
        // The job ends with its slowest running part; a stopped or waiting part has no ETA.
        etaSeconds: done
          ? 0
          : parts.every((p) => p.state === 'done' || p.etaSeconds !== null) && etas.some((e) => e !== null)
            ? Math.max(...etas.map((e) => e ?? 0))
            : null,
        done,
      },
    };
  } finally {
    await destination.close();
  }
}

function statusOf(part: CopyPart, now: number): PartStatus {
  const { checkpoint } = part;
  const planned = part.plan.estimate.records;
  if (!checkpoint) return { shard: part.shard, state: 'waiting', mode: null, copied: 0, planned, ratePerSec: null, etaSeconds: null, updatedAt: null };
  const copied = copiedBy(checkpoint);
  const updated = Date.parse(checkpoint.updatedAt);
  const base = { shard: part.shard, mode: checkpoint.mode, copied, planned, updatedAt: checkpoint.updatedAt };
  if (checkpoint.complete) return { ...base, state: 'done', ratePerSec: null, etaSeconds: 0 };
  if (!(now - updated < STALE_AFTER_MS)) return { ...base, state: 'stopped', ratePerSec: null, etaSeconds: null };
  const run = checkpoint.run;
  const seconds = run ? (updated - Date.parse(run.startedAt)) / 1000 : 0;
  const ratePerSec = run && seconds > 0 ? (copied - run.copiedBefore) / seconds : null;
  const etaSeconds = ratePerSec ? Math.max(0, planned - copied) / ratePerSec : null;
  return { ...base, state: 'copying', ratePerSec, etaSeconds };
}
