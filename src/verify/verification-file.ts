import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KrerouteError } from '../errors.ts';
import { writeFileAtomic } from '../checkpoint/atomic-file.ts';
import type { Plan } from '../plan/plan.ts';
import type { VerifyReport } from './verify-plan.ts';

export function verificationPath(stateDir: string): string {
  return join(stateDir, 'verification.json');
}

export async function saveVerification(stateDir: string, report: VerifyReport): Promise<void> {
  await writeFileAtomic(verificationPath(stateDir), `${JSON.stringify(report, null, 1)}\n`);
}

const anchor = z.strictObject({ offset: z.string().regex(/^\d+$/), digest: z.string().regex(/^[0-9a-f]{64}$/) });

/** What purge relies on; the rest of the report (examples of differences) is for people. */
const verificationSchema = z.object({
  planHash: z.string(),
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
    }),
  ),
  otherRecords: z.array(z.object({ topic: z.string(), partition: z.number().int(), count: z.number().int().nonnegative() })),
});

const damaged = (path: string, why: string) =>
  new KrerouteError('NOT_VERIFIED', `purge refused: the verification record ${path} ${why}`, { hint: 'run kreroute verify on this plan again; purge deletes only what a passing verify proved copied' });

/**
 * The saved verification of a plan, checked before anything trusts it: null when there is none;
 * refused when it is damaged, belongs to another plan, or does not agree with itself (a verdict
 * "passed" over differing counts or digests, or partitions of the plan it does not cover).
 */
export async function readVerification(stateDir: string, plan: Plan): Promise<VerifyReport | null> {
  const path = verificationPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw damaged(path, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let parsed: z.infer<typeof verificationSchema>;
  try {
    parsed = verificationSchema.parse(JSON.parse(text));
  } catch {
    throw damaged(path, 'is damaged or was written by an older kreroute');
  }
  if (parsed.planHash !== plan.hash) throw damaged(path, 'belongs to another plan');
  const inconsistent = parsed.partitions.find((p) => p.passed && (p.sourceCount !== p.destinationCount || p.sourceDigest !== p.destinationDigest || (p.destinationCount > 0) !== (p.anchors !== null)));
  if (inconsistent || parsed.passed !== parsed.partitions.every((p) => p.passed)) throw damaged(path, 'does not agree with itself (edited?)');
  const covered = new Set(parsed.partitions.map((p) => `${p.destinationTopic}/${p.destinationPartition}`));
  const counted = new Set(parsed.otherRecords.map((o) => `${o.topic}/${o.partition}`));
  for (const topic of plan.topics) {
    const receivers = plan.mapping === 'same' ? topic.partitions.map((p) => p.destinationPartition!) : [...Array(topic.destinationPartitions).keys()];
    if (receivers.some((d) => !covered.has(`${topic.destination}/${d}`)) || topic.partitions.some((p) => !counted.has(`${topic.source}/${p.partition}`))) {
      throw damaged(path, `does not cover every partition of ${topic.source} → ${topic.destination}`);
    }
  }
  return parsed as unknown as VerifyReport;
}
