import { type CopyCheckpoint, copiedBy } from './copy-checkpoint.ts';

/**
 * The further of a local checkpoint and the one published on the destination (the local one on a
 * tie, as it is saved first), carrying the producer ids of both: whatever either knew ran this
 * copy is recognised by the resume, and counted as the copy's by verify.
 */
export function furtherCheckpoint(local: CopyCheckpoint | null, published: CopyCheckpoint | null): CopyCheckpoint | null {
  if (!local || !published) return local ?? published;
  const chosen = copiedBy(published) > copiedBy(local) || (published.complete && !local.complete) ? published : local;
  for (const id of [...local.producerIds, ...published.producerIds]) if (!chosen.producerIds.includes(id)) chosen.producerIds.push(id);
  return chosen;
}
