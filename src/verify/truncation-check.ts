import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { type CopyCheckpoint, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import type { Plan } from '../plan/plan.ts';
import { NEW_PLAN_FOR_THE_REST, describeLostRanges, lostSourceRanges } from '../plan/checks/source-truncation.ts';

/**
 * Verify reads every planned source range from its start: once the source deleted part of one, no
 * run of copy or verify can make this plan pass. Says so (instead of "copy again") and what is left.
 */
export async function refuseVerifyOfTruncatedSource(plan: Plan, source: KafkaCluster, checkpoint: CopyCheckpoint | null): Promise<void> {
  const lost = await lostSourceRanges(source, plan, (_topic, planned) => BigInt(planned.start));
  if (lost.length === 0) return;
  const uncopied = lost.some((l) => {
    const state = checkpoint?.sources[partitionKey(l.topic, l.partition)];
    return !checkpoint?.complete && !state?.done && BigInt(state?.next ?? l.from) < l.to;
  });
  const when = uncopied ? 'before they were copied' : 'after they were copied, so nothing is left to compare them with';
  throw new KrerouteError(
    'SOURCE_TRUNCATED',
    `verify of this plan can never pass: the source deleted ${describeLostRanges(lost)} (retention or DeleteRecords) ${when}`,
    {
      hint: `what was copied stays on the destination; ${NEW_PLAN_FOR_THE_REST}`,
    },
  );
}
