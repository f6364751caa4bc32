import { readdir } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { KrerouteError } from '../common/errors.ts';
import { parseFamilyKey } from '../checkpoint/checkpoint-keys.ts';
import type { Plan } from '../plan/plan.ts';
import type { ShardRef } from '../shard/shard-layout.ts';
import { type JobState, unfinishedParts } from '../shard/job-state.ts';
import { type Verdict, checkCoverage, parseVerdict, readVerificationFile } from './verification-file.ts';

interface Found {
  verdict: Verdict;
  where: string;
  /** Its offset in the destination's checkpoint topic; null for a verdict only this machine holds. */
  offset: bigint | null;
}

/**
 * The later of two verdicts. verifiedAt is the clock of whichever machine ran verify, and clocks
 * disagree: the checkpoint topic's order is the only one every machine sees alike. A local
 * verdict has no place in it (its publish failed, or it is the same verdict as one there): when one
 * of the two passed and the other failed, purge refuses rather than guesses which came last.
 */
const newer = (a: Found | undefined, b: Found | undefined, action: string): Found | undefined => {
  if (!a || !b) return a ?? b;
  if (a.offset !== null && b.offset !== null) return b.offset > a.offset ? b : a;
  // This machine's copy of a verdict it published: the published one has the place in the order.
  if (isDeepStrictEqual(a.verdict, b.verdict)) return a.offset !== null ? a : b;
  if (a.verdict.passed !== b.verdict.passed) {
    const [passing, failing] = a.verdict.passed ? [a, b] : [b, a];
    throw new KrerouteError(
      'NOT_VERIFIED',
      `${action} refused: the verdict ${failing.where} failed and the one ${passing.where} passed, and which came last is unknown (machines' clocks differ)`,
      {
        hint: 'run kreroute verify on this plan again: its verdict then is the newest everywhere',
      },
    );
  }
  // Both passed or both failed: either tells purge the same, the clock only picks whose details.
  return b.verdict.verifiedAt > a.verdict.verifiedAt ? b : a;
};

/**
 * The verdict purge and offsets act on (`action` names which, in the refusals): the newest of a
 * verify of the whole plan and a complete set of verify shards (one verdict per shard, each its newest), read from this machine's state folder and from
 * the destination, where every verify keeps its verdict, ordered as the destination received them
 * (see newer). A set of shards counts from its oldest member, so a failing verify made after it
 * wins. Refused with one line when there is none, or when a shard's verdict is missing.
 */
export async function findVerdict(plan: Plan, stateDir: string, job: JobState, action: 'purge' | 'offsets'): Promise<Verdict> {
  let whole = await local(plan, stateDir, null);
  const shards = new Map<number, Map<number, Found>>();
  const addShard = (shard: ShardRef, found: Found | undefined): void => {
    if (!found) return;
    const set = shards.get(shard.count) ?? new Map<number, Found>();
    set.set(shard.index, newer(set.get(shard.index), found, action)!);
    shards.set(shard.count, set);
  };
  for (const [key, value] of job.family) {
    const parsed = parseFamilyKey(plan.hash, key);
    if (parsed?.kind !== 'verdict') continue;
    const found = {
      verdict: parseVerdict(value.toString('utf8'), `${key} on the destination`, plan),
      where: `${key} on the destination`,
      offset: job.familyOffsets.get(key) ?? null,
    };
    if (parsed.shard) addShard(parsed.shard, found);
    else whole = newer(whole, found, action);
  }
  for (const shard of await localShardVerdicts(stateDir)) addShard(shard, await local(plan, stateDir, shard));
  let chosen = whole;
  let partial: string | undefined;
  for (const [count, set] of shards) {
    if (set.size < count) {
      const missing = [...Array(count).keys()].filter((i) => !set.has(i)).map((i) => `${i}/${count}`);
      partial ??= `verify shard(s) ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ' …' : ''} have no verdict yet`;
      continue;
    }
    const members = [...set.values()].sort((a, b) => a.verdict.verifiedAt.localeCompare(b.verdict.verifiedAt));
    const offsets = members.map((m) => m.offset);
    const combined: Found = {
      // A set counts from its oldest member: a verify of the whole plan made after it wins.
      offset: offsets.includes(null) ? null : offsets.reduce((min, o) => (o! < min! ? o : min)),
      verdict: {
        planHash: plan.hash,
        passed: members.every((m) => m.verdict.passed),
        verifiedAt: members[0]!.verdict.verifiedAt,
        partitions: members.flatMap((m) => m.verdict.partitions),
        otherRecords: members.flatMap((m) => m.verdict.otherRecords),
      },
      where: `of ${count} verify shards`,
    };
    chosen = newer(chosen, combined, action);
  }
  if (!chosen) {
    const unfinished = unfinishedParts(job);
    if (job.layout.kind !== 'none' && unfinished.length > 0) {
      throw new KrerouteError('NOT_VERIFIED', `${action} refused: the copy of this plan has not finished: ${unfinished.slice(0, 4).join(', ')}`, {
        hint: `finish the copy, then verify the plan, then kreroute ${action}`,
      });
    }
    if (partial)
      throw new KrerouteError('NOT_VERIFIED', `${action} refused: ${partial}`, {
        hint: `run kreroute verify <plan> --shard I/N for them (or verify the whole plan), then kreroute ${action}`,
      });
    throw new KrerouteError('NOT_VERIFIED', `${action} refused: this plan has no verification`, {
      hint: `run kreroute verify on this plan first; ${action} acts only on what a passing verify proved copied`,
    });
  }
  checkCoverage(chosen.verdict, plan, chosen.where);
  return chosen.verdict;
}

async function local(plan: Plan, stateDir: string, shard: ShardRef | null): Promise<Found | undefined> {
  const verdict = await readVerificationFile(stateDir, plan, shard);
  return verdict ? { verdict, where: `in ${stateDir}`, offset: null } : undefined;
}

async function localShardVerdicts(stateDir: string): Promise<ShardRef[]> {
  const entries = await readdir(stateDir).catch(() => [] as string[]);
  return entries.flatMap((entry) => {
    const match = /^verification-shard-(\d+)-of-(\d+)\.json$/.exec(entry);
    return match && Number(match[1]) < Number(match[2]) ? [{ index: Number(match[1]), count: Number(match[2]) }] : [];
  });
}
