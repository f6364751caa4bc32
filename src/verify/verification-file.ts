import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KrerouteError } from '../common/errors.ts';
import { writeFileAtomic } from '../common/atomic-file.ts';
import type { Plan } from '../plan/plan.ts';
import type { ShardRef } from '../shard/shard-layout.ts';
import type { VerifyReport } from './report.ts';

export function verificationPath(stateDir: string, shard?: ShardRef | null): string {
  return join(stateDir, shard ? `verification-shard-${shard.index}-of-${shard.count}.json` : 'verification.json');
}

export async function saveVerification(stateDir: string, report: VerifyReport): Promise<void> {
  await writeFileAtomic(verificationPath(stateDir, report.shard), `${JSON.stringify(report, null, 1)}\n`);
}

const anchor = z.strictObject({ offset: z.string().regex(/^\d+$/), digest: z.string().regex(/^[0-9a-f]{64}$/) });

/** What purge relies on; the rest of the report (examples of differences) is for people. */
const verificationSchema = z.object({
  planHash: z.string(),
  shard: z.strictObject({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).optional(),
  passed: z.boolean(),
  verifiedAt: z.string(),
  partitions: z.array(
    z.object({
      destinationTopic: z.string(),
      destinationPartition: z.number().int().nonnegative(),
      sourceCount: z.number().int().nonnegative(),
      destinationCount: z.number().int().nonnegative(),
      sourceDigest: z.string(),
      destinationDigest: z.string(),
      passed: z.boolean(),
      anchors: z.strictObject({ first: anchor, last: anchor }).nullable(),
      // Optional: verdicts of older kreroute versions lack them, and purge then asks for verify again (see refuseArrivalsSinceVerify).
      readTo: z.string().regex(/^\d+$/).optional(),
      plannedTimestamps: z
        .strictObject({ oldest: z.string().regex(/^-?\d+$/), newest: z.string().regex(/^-?\d+$/) })
        .nullable()
        .optional(),
    }),
  ),
  otherRecords: z.array(z.object({ topic: z.string(), partition: z.number().int(), count: z.number().int().nonnegative() })),
});

export type Verdict = z.infer<typeof verificationSchema>;

export const damagedVerdict = (where: string, why: string) =>
  new KrerouteError('NOT_VERIFIED', `purge refused: the verification record ${where} ${why}`, {
    hint: 'run kreroute verify on this plan again; purge deletes only what a passing verify proved copied',
  });

/** A saved verification read from this machine's state folder: null when there is none. */
export async function readVerificationFile(stateDir: string, plan: Plan, shard: ShardRef | null = null): Promise<Verdict | null> {
  const path = verificationPath(stateDir, shard);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw damagedVerdict(path, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  return parseVerdict(text, path, plan);
}

/** A verdict checked before anything trusts it: refused when damaged, of another plan, or not agreeing with itself. */
export function parseVerdict(text: string, where: string, plan: Plan): Verdict {
  let parsed: Verdict;
  try {
    parsed = verificationSchema.parse(JSON.parse(text));
  } catch {
    throw damagedVerdict(where, 'is damaged or was written by an older kreroute');
  }
  if (parsed.planHash !== plan.hash) throw damagedVerdict(where, 'belongs to another plan');
  const inconsistent = parsed.partitions.find(
    (p) => p.passed && (p.sourceCount !== p.destinationCount || p.sourceDigest !== p.destinationDigest || p.destinationCount > 0 !== (p.anchors !== null)),
  );
  if (inconsistent || parsed.passed !== parsed.partitions.every((p) => p.passed)) throw damagedVerdict(where, 'does not agree with itself (edited?)');
  return parsed;
}

/** Refuses a verdict of the whole plan that does not cover every partition of the plan. */
export function checkCoverage(verdict: Verdict, plan: Plan, where: string): void {
  const covered = new Set(verdict.partitions.map((p) => `${p.destinationTopic}/${p.destinationPartition}`));
  const counted = new Set(verdict.otherRecords.map((o) => `${o.topic}/${o.partition}`));
  for (const topic of plan.topics) {
    const receivers = plan.mapping === 'same' ? topic.partitions.map((p) => p.destinationPartition!) : [...Array(topic.destinationPartitions).keys()];
    if (receivers.some((d) => !covered.has(`${topic.destination}/${d}`)) || topic.partitions.some((p) => !counted.has(`${topic.source}/${p.partition}`))) {
      throw damagedVerdict(where, `does not cover every partition of ${topic.source} → ${topic.destination}`);
    }
  }
}
