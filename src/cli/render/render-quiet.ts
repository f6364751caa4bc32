import type { CopySummary } from '../../copy/copy-plan.ts';
import type { OffsetsReport } from '../../offsets/offsets-report.ts';
import type { Plan } from '../../plan/plan.ts';
import type { PurgeReport } from '../../purge/purge-plan.ts';
import type { StageOutcome } from '../../reroute/reroute.ts';
import type { JobStatus } from '../../shard/job-status.ts';
import type { VerifyReport } from '../../verify/report.ts';
import type { WorkersSummary } from '../../workers/workers-summary.ts';
import { count, duration, plural } from './format.ts';
import { renderCopy } from './render-copy.ts';
import { upperBound } from './render-plan.ts';
import { renderPurge } from './render-purge.ts';
import { renderStatus } from './render-status.ts';
import { renderVerify } from './render-verify.ts';

/** --quiet: the one line that says how a result ended (the data is what `Output.result` was given for its kind). */
export function quietLine(kind: string, data: Record<string, unknown>): string | null {
  const planFile = String(data['planFile'] ?? '');
  switch (kind) {
    case 'plan':
      return planLine(data['plan'] as Plan, planFile);
    case 'copy':
      return renderCopy(data['summary'] as CopySummary | WorkersSummary, planFile)[0] ?? null;
    case 'verify':
      return renderVerify(data['report'] as VerifyReport, planFile)[0] ?? null;
    case 'purge':
      return renderPurge(data['report'] as PurgeReport)[0] ?? null;
    case 'status': {
      const lines = renderStatus(data['status'] as JobStatus, planFile);
      return lines.find((l) => l.startsWith('Total:')) ?? lines[0] ?? null;
    }
    case 'offsets':
      return offsetsLine(data['report'] as OffsetsReport);
    case 'reroute-stage':
      return stageLine(data as unknown as StageOutcome, planFile);
    case 'demo':
      return `Demo finished in ${duration(Number(data['seconds']))}.`;
    default:
      return null;
  }
}

function planLine(plan: Plan, planFile: string): string {
  const partitions = plan.topics.reduce((sum, t) => sum + t.partitions.length, 0);
  const { estimate } = plan;
  const records = estimate.exact ? `${count(estimate.records)} records (exact)` : `at most ${count(upperBound(plan))} records (upper bound)`;
  return `Plan written: ${planFile}, ${plural(plan.topics.length, 'topic')}, ${plural(partitions, 'partition')}, ${records}`;
}

function stageLine(outcome: StageOutcome, planFile: string): string {
  switch (outcome.status) {
    case 'skipped':
      return `${outcome.stage} already finished`;
    case 'not-requested':
      return 'purge not requested';
    case 'reused':
      return `plan ${planFile} reused`;
    case 'done':
      switch (outcome.stage) {
        case 'plan':
          return planLine(outcome.plan, planFile);
        case 'copy':
          return quietLine('copy', { planFile, summary: outcome.summary }) ?? 'copy done';
        case 'verify':
          return quietLine('verify', { planFile, report: outcome.report }) ?? 'verify done';
        case 'purge':
          return quietLine('purge', { report: outcome.report }) ?? 'purge done';
        case 'offsets':
          return offsetsLine(outcome.report);
      }
  }
}

function offsetsLine(report: OffsetsReport): string {
  const groups = report.groups.map((g) => g.group).join(', ');
  return report.execute ? `Offsets committed on the destination for ${groups}` : `Offsets translated for ${groups} (dry run, nothing committed)`;
}

/** Warnings a result carries itself: the plan's checks of level warning. */
export function warningsIn(kind: string, data: Record<string, unknown>): number {
  const plan = kind === 'plan' || (kind === 'reroute-stage' && data['stage'] === 'plan') ? (data['plan'] as Plan | undefined) : undefined;
  return plan?.checks.filter((c) => c.level === 'warning').length ?? 0;
}
