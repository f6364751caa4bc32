import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../common/atomic-file.ts';
import { KrerouteError } from '../common/errors.ts';

export const STAGES = ['plan', 'copy', 'verify', 'purge'] as const;
export type RerouteStage = (typeof STAGES)[number];

const stageMark = z.strictObject({ finishedAt: z.string() });

const jobSchema = z.strictObject({
  format: z.literal('kreroute-job'),
  version: z.literal(1),
  planFile: z.string(),
  planHash: z.string(),
  stages: z.strictObject({
    plan: stageMark.optional(),
    copy: stageMark.optional(),
    verify: stageMark.optional(),
    purge: stageMark.optional(),
  }),
});

/**
 * `<stateDir>/job.json`: which stages of a reroute finished, so running the same command again
 * skips them. Only a shortcut: copy keeps its own checkpoint, verify and purge their own records.
 */
export type JobFile = z.infer<typeof jobSchema>;

export function jobFilePath(stateDir: string): string {
  return join(stateDir, 'job.json');
}

export function newJob(planFile: string, planHash: string): JobFile {
  return { format: 'kreroute-job', version: 1, planFile, planHash, stages: {} };
}

export async function readJobFile(stateDir: string): Promise<JobFile | null> {
  const path = jobFilePath(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KrerouteError('CHECKPOINT_CORRUPT', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
      hint: 'check the permissions of the state folder',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = jobSchema.safeParse(json);
  if (!parsed.success) {
    throw new KrerouteError('CHECKPOINT_CORRUPT', `${path} is not a kreroute job file`, {
      hint: 'delete it: the stages run again, and copy still resumes from its own checkpoint',
    });
  }
  return parsed.data;
}

export async function markStageDone(stateDir: string, job: JobFile, stage: RerouteStage, now: Date = new Date()): Promise<JobFile> {
  const updated: JobFile = { ...job, stages: { ...job.stages, [stage]: { finishedAt: now.toISOString() } } };
  await writeFileAtomic(jobFilePath(stateDir), `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}
