import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KrerouteError } from '../common/errors.ts';
import { writeFileAtomic } from '../common/atomic-file.ts';

const decimal = z.string().regex(/^-?\d+$/);

const checkpointSchema = z.strictObject({
  format: z.literal('kreroute-checkpoint'),
  version: z.literal(1),
  planHash: z.string(),
  /** How the copy delivers: with exactly-once the checkpoint lives in the destination, written in each transaction. */
  mode: z.enum(['exactly-once', 'at-least-once']).default('at-least-once'),
  /** Producer ids of every run so far, saved before that run writes anything. */
  producerIds: z.array(decimal),
  /** Per source partition: the next offset to copy; `alreadyWritten`, offsets past it that an interrupted run wrote. */
  sources: z.record(
    z.string(),
    z.strictObject({ next: decimal, copied: z.number().int(), skipped: z.number().int(), done: z.boolean(), alreadyWritten: z.array(decimal) }),
  ),
  /**
   * Per destination partition: `scanFrom`, its high watermark before the first run wrote; `end`,
   * the offset after our last acknowledged write (null before the first).
   */
  destinations: z.record(
    z.string(),
    z.strictObject({
      scanFrom: decimal,
      end: decimal.nullable(),
      written: z.number().int(),
      /** At-least-once: how many records the run that saved this checkpoint had written there (its producer's next sequence). */
      lastRun: z.strictObject({ producerId: decimal, records: z.number().int().nonnegative() }).optional(),
      /**
       * Whether any batch written there was built by kreroute (joined, filtered or re-encoded)
       * rather than forwarded as fetched. false lets verify compare whole batches (see
       * verifySameMapping); absent (checkpoints before it was kept): not known.
       */
      rebuilt: z.boolean().optional(),
    }),
  ),
  complete: z.boolean(),
  updatedAt: z.string(),
  /** Set when this is the checkpoint of one shard of a plan (see shardPlan): shard `index` of `count` of plan `of`. */
  shard: z.strictObject({ index: z.number().int().nonnegative(), count: z.number().int().positive(), of: z.string() }).optional(),
  /** The run that saved it: when it started and how many records were copied before it, for a rate (status). */
  run: z.strictObject({ startedAt: z.string(), copiedBefore: z.number().int().nonnegative() }).optional(),
});

export type CopyCheckpoint = z.infer<typeof checkpointSchema>;

type DeepReadonly<T> =
  T extends ReadonlyArray<infer U> ? ReadonlyArray<DeepReadonly<U>> : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** A checkpoint to read only: what the ledger (see CheckpointLedger) shows everyone else. */
export type CheckpointView = DeepReadonly<CopyCheckpoint>;

/** Records copied so far, over all source partitions. */
export const copiedBy = (checkpoint: CheckpointView): number => Object.values(checkpoint.sources).reduce((sum, s) => sum + s.copied, 0);

export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export function checkpointPath(stateDir: string): string {
  return join(stateDir, 'checkpoint.json');
}

/** Loads the checkpoint of a plan; null when none exists yet. Never silently starts over. */
export async function loadCheckpoint(stateDir: string, planHash: string): Promise<CopyCheckpoint | null> {
  const path = checkpointPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KrerouteError('CHECKPOINT_CORRUPT', `cannot read the checkpoint ${path}: ${(error as NodeJS.ErrnoException).code}`, {
      hint: 'fix its permissions; kreroute will not start over while a checkpoint exists',
    });
  }
  return parseCheckpoint(text, path, planHash);
}

/** Parses and checks a checkpoint read from `where` (a file, or a record on the destination). */
export function parseCheckpoint(text: string, where: string, planHash: string): CopyCheckpoint {
  let parsed: CopyCheckpoint;
  try {
    parsed = checkpointSchema.parse(JSON.parse(text));
  } catch {
    throw new KrerouteError('CHECKPOINT_CORRUPT', `the checkpoint ${where} is damaged`, {
      hint: 'restore it, or run verify to see what the destination holds; kreroute never restarts from zero on its own',
    });
  }
  if (parsed.planHash !== planHash) {
    throw new KrerouteError('CHECKPOINT_MISMATCH', `the checkpoint ${where} belongs to another plan`, {
      hint: 'use the plan it was made for, or a new --state-dir for this plan',
    });
  }
  return parsed;
}

/** Writes the checkpoint atomically: a crash leaves the old or the new one, never half. */
export async function saveCheckpoint(stateDir: string, checkpoint: CheckpointView): Promise<void> {
  await writeFileAtomic(checkpointPath(stateDir), `${JSON.stringify({ ...checkpoint, updatedAt: new Date().toISOString() }, null, 1)}\n`);
}
