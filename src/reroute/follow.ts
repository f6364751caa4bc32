import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { KrerouteError } from '../common/errors.ts';
import type { CopyOptions, CopySummary } from '../copy/copy-plan.ts';
import { createPlan } from '../plan/create-plan.ts';
import { type ReadPositions, countAfter } from '../plan/late-writes.ts';
import { openPlanCluster } from '../plan/plan-clusters.ts';
import { defaultStateDir, readPlanFile, writePlanFile } from '../plan/plan-file.ts';
import type { Plan } from '../plan/plan.ts';
import { type RerouteRequest, type RerouteResult, type StageOutcome, reroute } from './reroute.ts';

export interface FollowRequest extends Omit<RerouteRequest, 'onStage' | 'copyWith'> {
  /** The job ends once no matching record has reached the source for this long after the last plan's end. */
  quietForMs: number;
  /** How often the source is asked for late writes while it is quiet (default: a fifth of quietForMs, 1 to 5 s). */
  pollMs?: number;
  /** How the copy stage of each plan copies (default copyPlan in this process). */
  copyWith?: (planFile: string) => (plan: Plan, options: CopyOptions) => Promise<CopySummary>;
  /** Told about each stage of each plan as it ends. */
  onStage?: (outcome: StageOutcome, planFile: string) => void;
}

export interface FollowResult {
  /** One reroute per plan of the chain: the first plan, then its follow-ups. */
  results: RerouteResult[];
  /** When the source became quiet: the last plan was made then, and nothing matching has arrived since. */
  quietSince: string;
}

/** The n-th plan file of a chain (n ≥ 2): tenant-b.plan.json → tenant-b.plan.2.json. */
export function followUpFile(planFile: string, n: number): string {
  return planFile.endsWith('.json') ? `${planFile.slice(0, -'.json'.length)}.${n}.json` : `${planFile}.${n}`;
}

/**
 * `reroute --follow`: reroute the plan, then as long as the tenant's records keep reaching the
 * source after the last plan's end, a follow-up plan of them (`plan --after`) is made and rerouted
 * in turn; the job ends when no matching record has arrived for `quietForMs`. Each plan of the
 * chain has its own file (followUpFile) and state folder, so running the same request again after
 * a kill goes through the finished plans quickly (their stages are skipped) and continues the first
 * unfinished one. A signal stops it at a clean point, also while it waits.
 */
export async function rerouteFollow(request: FollowRequest): Promise<FollowResult> {
  const { planFile: firstFile, onEvent, signal } = request;
  const stateDirOf = (file: string, n: number) =>
    request.stateDir === undefined ? defaultStateDir(file) : n === 1 ? request.stateDir : `${request.stateDir}.${n}`;
  const { copyWith, onStage, quietForMs: _quietForMs, pollMs: _pollMs, ...common } = request;
  const run = (file: string, n: number) =>
    reroute({
      ...common,
      planFile: file,
      stateDir: stateDirOf(file, n),
      ...(copyWith ? { copyWith: copyWith(file) } : {}),
      ...(onStage ? { onStage: (outcome: StageOutcome) => onStage(outcome, file) } : {}),
    });
  const results: RerouteResult[] = [];
  let n = 1;
  let file = firstFile;
  for (;;) {
    results.push(await run(file, n));
    if (!existsSync(followUpFile(firstFile, n + 1))) break;
    n += 1;
    file = followUpFile(firstFile, n);
    await checkFollows(file, results.at(-1)!);
  }
  for (;;) {
    const last = results.at(-1)!.plan;
    const quietSince = await waitForLateWrites(request, last);
    if (quietSince !== null) {
      onEvent?.({ type: 'info', message: `no matching record reached the source for ${request.quietForMs / 1000} s after ${file}; the job is done` });
      return { results, quietSince };
    }
    const previous = file;
    n += 1;
    file = followUpFile(firstFile, n);
    onEvent?.({ type: 'info', message: `matching records reached the source after the end of ${previous}: planning them in ${file}` });
    const next = await createPlan({ ...request.plan, after: { plan: last, planFile: previous }, ...(onEvent ? { onEvent } : {}) });
    await writePlanFile(file, next);
    if (signal?.aborted) throw stopped();
    results.push(await run(file, n));
  }
}

/**
 * Asks the source for matching records after the plan's end until some arrive (null) or the quiet
 * period since the plan was made has passed (when it began, as an ISO time). Every record is read
 * once: each look goes on from where the last one stopped.
 */
async function waitForLateWrites(request: FollowRequest, plan: Plan): Promise<string | null> {
  const quietStart = Date.parse(plan.createdAt);
  const pollMs = request.pollMs ?? Math.min(5_000, Math.max(1_000, Math.floor(request.quietForMs / 5)));
  const source = await openPlanCluster(plan, 'source', request.plan.source);
  try {
    let readTo: ReadPositions = new Map();
    for (;;) {
      if (request.signal?.aborted) throw stopped();
      const looked = Date.now();
      const counted = await countAfter(source, plan, readTo, Number.POSITIVE_INFINITY);
      if (counted.late.records > 0) return null;
      readTo = counted.readTo;
      if (looked - quietStart >= request.quietForMs) return new Date(quietStart).toISOString();
      const wait = Math.min(pollMs, quietStart + request.quietForMs - looked);
      try {
        await sleep(wait, undefined, request.signal ? { signal: request.signal } : {});
      } catch {
        throw stopped();
      }
    }
  } finally {
    await source.close();
  }
}

/** A plan file found where the chain goes on must follow the plan before it (not be left from another job). */
async function checkFollows(file: string, previous: RerouteResult): Promise<void> {
  const plan = await readPlanFile(file);
  if (plan.after?.planHash !== previous.plan.hash) {
    throw new KrerouteError('PLAN_MISMATCH', `${file} does not follow ${previous.planFile} (it was made after another plan, or without --after)`, {
      hint: `move it away: --follow names the follow-ups of ${previous.planFile} so, and makes them itself`,
    });
  }
}

function stopped(): KrerouteError {
  return new KrerouteError('INTERRUPTED', 'reroute stopped', { hint: 'run the same command again to continue where it stopped' });
}
