import { KrerouteError } from '../common/errors.ts';
import { parseFamilyKey } from '../checkpoint/checkpoint-keys.ts';
import type { Plan } from '../plan/plan.ts';

export const layoutOf = (shard: { count: number } | null | undefined): string => (shard ? `${shard.count} shard(s)` : 'one whole copy');

/**
 * A plan is copied either whole or as N shards, never both: shards of another count cover other
 * partitions, so a second layout would copy records the first already copied. `family` holds the
 * plan's checkpoint-topic keys (see DestinationCheckpointStore.loadFamily). Copies started at the
 * same moment see no checkpoint yet: claimLayout decides between them.
 */
export function refuseOtherLayout(plan: Plan, family: Iterable<string>): void {
  const root = plan.shard?.of ?? plan.hash;
  const mine = layoutOf(plan.shard);
  for (const key of family) {
    const parsed = parseFamilyKey(root, key);
    if (parsed?.kind !== 'checkpoint') continue;
    if (layoutOf(parsed.shard) === mine) continue;
    refuseLayout(plan, parsed.shard, `checkpoint ${key.slice(root.length) || 'of the whole plan'} on the destination`);
  }
}

/** Refuses copying `plan` while the copy is laid out as `theirs` (null: whole), seen in `evidence`. */
export function refuseLayout(plan: Plan, theirs: { count: number } | null, evidence: string): never {
  throw new KrerouteError(
    'CHECKPOINT_MISMATCH',
    `this plan is already being copied as ${layoutOf(theirs)} (${evidence}); copying it as ${layoutOf(plan.shard)} would copy records twice`,
    {
      hint: theirs ? `run the remaining shards with --shard I/${theirs.count}` : 'finish it without --shard or --workers',
    },
  );
}
