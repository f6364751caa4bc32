import { type CopyCheckpoint, copiedBy } from './copy-checkpoint.ts';

/** Whether the checkpoint published on the destination is further than the local one (the local one wins a tie, as it is saved first). */
export function publishedIsFurther(local: CopyCheckpoint, published: CopyCheckpoint): boolean {
  return copiedBy(published) > copiedBy(local) || (published.complete && !local.complete);
}

/**
 * The further of a local checkpoint and the one published on the destination (see
 * publishedIsFurther), carrying the producer ids of both: whatever either knew ran this copy is
 * recognised by the resume, and counted as the copy's by verify. Neither input is changed.
 */
export function furtherCheckpoint(local: CopyCheckpoint | null, published: CopyCheckpoint | null): CopyCheckpoint | null {
  if (!local || !published) return local ?? published;
  const chosen = publishedIsFurther(local, published) ? published : local;
  const producerIds = [...chosen.producerIds];
  for (const id of [...local.producerIds, ...published.producerIds]) if (!producerIds.includes(id)) producerIds.push(id);
  return { ...chosen, producerIds };
}
