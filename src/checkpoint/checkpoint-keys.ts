import type { Plan } from '../plan/plan.ts';

/**
 * Keys of what a plan keeps in the checkpoint topic. Every key of a plan starts with the whole
 * plan's hash, so one read of the topic finds all of a job's shards and verdicts:
 *   <hash>                     checkpoint of the copy of the whole plan
 *   <hash>#<i>/<n>             checkpoint of copy shard i of n
 *   <hash>@verify              verdict of a verify of the whole plan
 *   <hash>@verify#<i>/<n>      verdict of verify shard i of n
 *   <hash>@layout/<token>      a copier's claim of the copy's layout (see claimLayout): one key
 *                              per claim, so compaction never removes the first one
 */
export function checkpointKey(plan: Pick<Plan, 'hash' | 'shard'>): string {
  return plan.shard ? `${plan.shard.of}#${plan.shard.index}/${plan.shard.count}` : plan.hash;
}

export function verdictKey(plan: Pick<Plan, 'hash' | 'shard'>): string {
  return plan.shard ? `${plan.shard.of}@verify#${plan.shard.index}/${plan.shard.count}` : `${plan.hash}@verify`;
}

export function layoutClaimKey(root: string, token: string): string {
  return `${root}@layout/${token}`;
}

export interface FamilyKey {
  kind: 'checkpoint' | 'verdict' | 'layout';
  /** null: the whole plan. */
  shard: { index: number; count: number } | null;
}

const CLAIM = /^@layout\/[0-9a-f-]{36}$/;
const SHAPE = /^(?<kind>@verify)?(?:#(?<index>\d+)\/(?<count>\d+))?$/;

/** What a key of the plan `root` names, or null when it is not one of that plan's keys. */
export function parseFamilyKey(root: string, key: string): FamilyKey | null {
  if (!key.startsWith(root)) return null;
  if (CLAIM.test(key.slice(root.length))) return { kind: 'layout', shard: null };
  const match = SHAPE.exec(key.slice(root.length));
  if (!match?.groups) return null;
  const { kind, index, count } = match.groups;
  return { kind: kind ? 'verdict' : 'checkpoint', shard: index !== undefined && count !== undefined ? { index: Number(index), count: Number(count) } : null };
}
