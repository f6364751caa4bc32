import type { CopySummary } from '../copy/copy-plan.ts';
import { sumCopyStats } from '../copy/copy-stats.ts';
import { ERROR_CODES, type ErrorCode, KrerouteError } from '../common/errors.ts';

export interface ShardResult {
  /** "I/N", or "whole" for a plan copied whole. */
  shard: string;
  summary: CopySummary;
}

/** A copy by several workers: the totals of every shard, and each shard's own summary. */
export interface WorkersSummary extends CopySummary {
  workers: number;
  shards: ShardResult[];
}

export interface ShardFailure {
  shard: string;
  code: string | null;
  reason: string;
  hint?: string;
}

export function combineSummaries(shards: ShardResult[], workers: number, seconds: number): WorkersSummary {
  const summaries = shards.map((s) => s.summary);
  const sum = (pick: (s: CopySummary) => number): number => summaries.reduce((total, s) => total + pick(s), 0);
  const working = summaries.find((s) => !s.alreadyComplete);
  return {
    records: sum((s) => s.records),
    bytes: sum((s) => s.bytes),
    seconds,
    reconciled: sum((s) => s.reconciled),
    resumed: summaries.some((s) => s.resumed && !s.alreadyComplete),
    alreadyComplete: summaries.length > 0 && summaries.every((s) => s.alreadyComplete),
    mode: working?.mode ?? summaries[0]?.mode ?? 'auto',
    stats: sumCopyStats(summaries.map((s) => s.stats)),
    workers,
    shards,
  };
}

/**
 * One error for the shards that failed. When they all failed the same way (a wrong config file,
 * an unreachable cluster) that is the code; when one of them needs a fix before a rerun can pass
 * (AUTH, SOURCE_TRUNCATED, …), the first such code, so the exit code does not promise that a
 * rerun helps; otherwise COPY_FAILED. Either way the finished shards are kept: a rerun resumes
 * only the rest.
 */
export function shardsFailedError(failures: ShardFailure[], total: number): KrerouteError {
  const codes = new Set(failures.map((f) => f.code));
  const [only] = codes;
  const known = (code: string | null): code is ErrorCode => code !== null && code in ERROR_CODES;
  const shared = codes.size === 1 && known(only ?? null) && only !== 'INTERRUPTED' ? (only as ErrorCode) : null;
  const fixFirst = failures.find((f) => known(f.code) && !ERROR_CODES[f.code].retryable);
  const reported = shared ?? (fixFirst?.code as ErrorCode | undefined) ?? 'COPY_FAILED';
  const list = failures.map((f) => `${f.shard}: ${f.code && !shared ? `${f.code}: ` : ''}${f.reason}`).join('; ');
  const rerun = 'run the same command again: it resumes the failed shards, and the finished ones report "already copied"';
  const lead = shared ? failures[0] : fixFirst;
  const hint = lead?.hint && reported !== 'COPY_FAILED' ? `${lead.hint}; then ${rerun}` : rerun;
  return new KrerouteError(reported, `${failures.length} of ${total} shard(s) failed (${list}); the others finished`, { hint });
}
