import { existsSync } from 'node:fs';
import { type CopyOptions, type CopySummary, copyPlan } from '../copy/copy-plan.ts';
import { KrerouteError } from '../common/errors.ts';
import type { EventSink } from '../common/events.ts';
import type { MetricsSink } from '../common/metrics-sink.ts';
import { type PlanRequest, createPlan } from '../plan/create-plan.ts';
import { defaultStateDir, readPlanFile, writePlanFile } from '../plan/plan-file.ts';
import type { Plan } from '../plan/plan.ts';
import type { OffsetsReport } from '../offsets/offsets-report.ts';
import { translateOffsets } from '../offsets/translate-offsets.ts';
import { type PurgeReport, purgePlan } from '../purge/purge-plan.ts';
import type { VerifyReport } from '../verify/report.ts';
import { verifyPlan } from '../verify/verify-plan.ts';
import { type JobFile, type RerouteStage, jobFilePath, markStageDone, newJob, readJobFile } from './job-file.ts';
import { planDifferences } from './plan-matches.ts';

export interface RerouteRequest {
  planFile: string;
  /** What to plan when planFile does not exist yet (an existing plan file is reused as it is). */
  plan: Omit<PlanRequest, 'onEvent'>;
  /** Default: defaultStateDir(planFile). */
  stateDir?: string;
  copy?: Pick<CopyOptions, 'maxRatePerSec' | 'acceptOverlap' | 'mode' | 'checkpointTopic' | 'passthrough' | 'memoryBudgetBytes' | 'compression'>;
  /** How the copy stage copies (default copyPlan in this process); e.g. copyWithWorkers. */
  copyWith?: (plan: Plan, options: CopyOptions) => Promise<CopySummary>;
  /** Consumer groups whose offsets are translated and committed on the destination once verify passed (before purge). */
  groups?: string[];
  /** Delete the copied range from the source once verify passed. */
  purge?: boolean;
  onEvent?: EventSink;
  /** Told the job's stage, and what copy and verify measure; default: nothing. */
  metrics?: MetricsSink;
  /** Stops the copy at a clean point; no later stage starts. */
  signal?: AbortSignal;
  /** Told about each stage as it ends, so a caller can show results as they come. */
  onStage?: (outcome: StageOutcome) => void;
}

export type StageOutcome =
  | { stage: 'plan'; status: 'done' | 'reused'; plan: Plan }
  | { stage: 'copy'; status: 'done'; summary: CopySummary }
  | { stage: 'verify'; status: 'done'; report: VerifyReport }
  | { stage: 'purge'; status: 'done'; report: PurgeReport }
  | { stage: 'offsets'; status: 'done'; report: OffsetsReport }
  | { stage: Exclude<RerouteStage, 'plan'>; status: 'skipped'; finishedAt: string }
  | { stage: 'purge'; status: 'not-requested' };

export interface RerouteResult {
  planFile: string;
  stateDir: string;
  plan: Plan;
  outcomes: StageOutcome[];
}

/**
 * plan → copy → verify (→ offsets → purge) as one resumable job. `<stateDir>/job.json` records finished
 * stages; running the same request again skips them and continues where it stopped. Groups'
 * offsets are translated (and committed) and purge runs only after verify passed.
 */
export async function reroute(request: RerouteRequest): Promise<RerouteResult> {
  const { planFile, onEvent, metrics } = request;
  const stateDir = request.stateDir ?? defaultStateDir(planFile);
  const outcomes: StageOutcome[] = [];
  const report = (outcome: StageOutcome) => {
    outcomes.push(outcome);
    request.onStage?.(outcome);
  };
  const stopIfAborted = () => {
    if (request.signal?.aborted) {
      throw new KrerouteError('INTERRUPTED', 'reroute stopped', { hint: 'run the same command again to continue where it stopped' });
    }
  };

  let job = await readJobFile(stateDir);
  const plan = await planStage(request, stateDir, job, report);
  if (job !== null && job.planHash !== plan.hash) {
    throw new KrerouteError('CHECKPOINT_MISMATCH', `${jobFilePath(stateDir)} belongs to another plan than ${planFile}`, {
      hint: 'give another --state-dir, or remove that state folder if its job is abandoned',
    });
  }
  job ??= await markStageDone(stateDir, newJob(planFile, plan.hash), 'plan');
  const sides = { source: request.plan.source, destination: request.plan.destination };

  stopIfAborted();
  if (job.stages.copy) {
    report({ stage: 'copy', status: 'skipped', finishedAt: job.stages.copy.finishedAt });
  } else {
    // Said here too: a copy by worker processes reports to metrics of its own.
    metrics?.stage('copy');
    const summary = await (request.copyWith ?? copyPlan)(plan, {
      ...sides,
      ...request.copy,
      ...keepOptions(request),
      stateDir,
      ...(onEvent ? { onEvent } : {}),
      ...(metrics ? { metrics } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    // A copy stopped by the signal may return early: it is not done.
    stopIfAborted();
    job = await markStageDone(stateDir, job, 'copy');
    report({ stage: 'copy', status: 'done', summary });
  }

  stopIfAborted();
  if (job.stages.verify) {
    report({ stage: 'verify', status: 'skipped', finishedAt: job.stages.verify.finishedAt });
  } else {
    const verdict = await verifyPlan(plan, { ...sides, ...keepOptions(request), stateDir, ...(onEvent ? { onEvent } : {}), ...(metrics ? { metrics } : {}) });
    report({ stage: 'verify', status: 'done', report: verdict });
    if (!verdict.passed) {
      const failed = verdict.partitions.filter((p) => !p.passed).length;
      throw new KrerouteError('VERIFY_FAILED', `${failed} of ${verdict.partitions.length} destination partitions differ from the source`, {
        hint: request.purge ? 'nothing was purged; see the differences above' : 'see the differences above',
      });
    }
    job = await markStageDone(stateDir, job, 'verify');
  }

  stopIfAborted();
  // Translation reads the copied source records: after a purge there is nothing left to read.
  if (request.groups && request.groups.length > 0 && !job.stages.purge) {
    const translated = await translateOffsets(plan, { ...sides, stateDir, groups: request.groups, execute: true, ...(onEvent ? { onEvent } : {}) });
    report({ stage: 'offsets', status: 'done', report: translated });
  }

  stopIfAborted();
  if (!request.purge) {
    report({ stage: 'purge', status: 'not-requested' });
  } else if (job.stages.purge) {
    report({ stage: 'purge', status: 'skipped', finishedAt: job.stages.purge.finishedAt });
  } else {
    metrics?.stage('purge');
    const purged = await purgePlan(plan, {
      source: sides.source,
      destination: sides.destination,
      stateDir,
      ...(request.plan.keepMarginMs !== undefined ? { keepMarginMs: request.plan.keepMarginMs } : {}),
      ...(onEvent ? { onEvent } : {}),
    });
    job = await markStageDone(stateDir, job, 'purge');
    report({ stage: 'purge', status: 'done', report: purged });
  }
  return { planFile, stateDir, plan, outcomes };
}

/** The plan's choices about what the destination keeps, for copy and verify (purge takes no loss). */
function keepOptions(request: RerouteRequest): { acceptDestinationLoss?: boolean; keepMarginMs?: number } {
  return {
    ...(request.plan.acceptDestinationLoss ? { acceptDestinationLoss: true } : {}),
    ...(request.plan.keepMarginMs !== undefined ? { keepMarginMs: request.plan.keepMarginMs } : {}),
  };
}

async function planStage(request: RerouteRequest, stateDir: string, job: JobFile | null, report: (o: StageOutcome) => void): Promise<Plan> {
  const { planFile, onEvent } = request;
  if (existsSync(planFile)) {
    const plan = await readPlanFile(planFile);
    const differences = planDifferences(plan, request.plan);
    if (differences.length > 0) {
      throw new KrerouteError('PLAN_MISMATCH', `the existing plan file ${planFile} was made for other flags (${differences.join('; ')})`, {
        hint: 'use the flags it was made with to continue it, or another --out to plan afresh',
      });
    }
    onEvent?.({
      type: 'info',
      message: `reusing the existing plan file ${planFile} (made ${plan.createdAt}); it is not planned again — to plan afresh, give another --out`,
    });
    report({ stage: 'plan', status: 'reused', plan });
    return plan;
  }
  if (job !== null) {
    throw new KrerouteError('CHECKPOINT_MISMATCH', `the state folder ${stateDir} holds progress of a plan, but ${planFile} is gone`, {
      hint: 'restore the plan file to continue, or remove the state folder to start over',
    });
  }
  request.metrics?.stage('plan');
  const plan = await createPlan({ ...request.plan, ...(onEvent ? { onEvent } : {}) });
  await writePlanFile(planFile, plan);
  report({ stage: 'plan', status: 'done', plan });
  return plan;
}
