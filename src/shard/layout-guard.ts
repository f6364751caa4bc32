import { KrerouteError } from '../errors.ts';
import { parseFamilyKey } from '../checkpoint/checkpoint-keys.ts';
import type { Plan } from '../plan/plan.ts';

const layoutOf = (shard: { count: number } | null | undefined): string => (shard ? `${shard.count} shard(s)` : 'one whole copy');

/**
 * A plan is copied either whole or as N shards, never both: shards of another count cover other
 * partitions, so a second layout would copy records the first already copied. `family` holds the
 * plan's checkpoint-topic keys (see DestinationCheckpointStore.loadFamily).
 */
export function refuseOtherLayout(plan: Plan, family: Iterable<string>): void {
  const root = plan.shard?.of ?? plan.hash;
  const mine = layoutOf(plan.shard);
  for (const key of family) {
    const parsed = parseFamilyKey(root, key);
    if (parsed?.kind !== 'checkpoint') continue;
    const theirs = layoutOf(parsed.shard);
    if (theirs === mine) continue;
    throw new KrerouteError('CHECKPOINT_MISMATCH', `this plan is already being copied as ${theirs} (checkpoint ${key.slice(root.length) || 'of the whole plan'} on the destination); copying it as ${mine} would copy records twice`, {
      hint: parsed.shard ? `run the remaining shards with --shard I/${parsed.shard.count}` : 'finish it without --shard or --workers',
    });
  }
}
