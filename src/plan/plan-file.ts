import { readFile } from 'node:fs/promises';
import { KrerouteError } from '../common/errors.ts';
import { writeFileAtomic } from '../common/atomic-file.ts';
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import type { Plan } from './plan.ts';
import { planSchema } from './plan-schema.ts';

/** The hash that seals a plan: over everything but the hash itself. */
export function planHash(plan: Omit<Plan, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...content } = plan;
  return sha256Hex(canonicalJson(content));
}

export function sealPlan(plan: Omit<Plan, 'hash'>): Plan {
  return { ...plan, hash: planHash(plan) };
}

export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(plan, null, 2)}\n`);
}

export async function readPlanFile(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new KrerouteError('BAD_INPUT', `cannot read plan file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
      hint: 'give the path of a plan written by `kreroute plan --out`',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KrerouteError('PLAN_INVALID', `plan file ${path} is not valid JSON`, { hint: 'make a new plan with `kreroute plan`' });
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KrerouteError('PLAN_INVALID', `plan file ${path} is not a kreroute plan (${issue?.path.join('.') || 'root'}: ${issue?.message})`, {
      hint: 'make a new plan with `kreroute plan`',
    });
  }
  const plan = parsed.data as Plan;
  if (planHash(plan) !== plan.hash) {
    throw new KrerouteError('PLAN_INVALID', `plan file ${path} was changed after it was made (its hash no longer matches)`, {
      hint: 'plans are sealed; make a new plan with `kreroute plan` instead of editing one',
    });
  }
  return plan;
}

/** The default state folder of a plan file: `<plan>.state` beside it. */
export function defaultStateDir(planPath: string): string {
  return `${planPath.replace(/\.json$/, '')}.state`;
}
