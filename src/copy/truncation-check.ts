import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { type CheckpointView, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import type { Plan } from '../plan/plan.ts';
import { NEW_PLAN_FOR_THE_REST, describeLostRanges, lostSourceRanges } from '../plan/checks/source-truncation.ts';

/**
 * Refuses a copy that can never complete because the source deleted records it has not copied yet
 * (running it again would fail the same way). Says what is lost and the way out.
 */
export async function refuseCopyOfTruncatedSource(plan: Plan, source: KafkaCluster, checkpoint: CheckpointView): Promise<void> {
  const lost = await lostSourceRanges(source, plan, (topic, planned) => {
    const state = checkpoint.sources[partitionKey(topic, planned.partition)];
    if (state?.done) return null;
    return state ? BigInt(state.next) : BigInt(planned.start);
  });
  if (lost.length === 0) return;
  const copied = plan.topics.flatMap((topic) =>
    topic.partitions
      .map((planned) => ({
        name: `${topic.source}[${planned.partition}]`,
        start: BigInt(planned.start),
        next: BigInt(checkpoint.sources[partitionKey(topic.source, planned.partition)]?.next ?? planned.start),
      }))
      .filter((p) => p.next > p.start && !lost.some((l) => `${l.topic}[${l.partition}]` === p.name)),
  );
  const twice =
    copied.length > 0
      ? `; this plan already copied ${copied
          .slice(0, 3)
          .map((p) => `${p.name} up to offset ${p.next}`)
          .join(', ')}${copied.length > 3 ? ', …' : ''}: start the new plan past those (--from offset:N) so they are not copied twice`
      : '';
  throw new KrerouteError(
    'SOURCE_TRUNCATED',
    `this plan can never be copied completely: the source deleted ${describeLostRanges(lost)} (retention or DeleteRecords) before they were copied`,
    {
      hint: `what was copied stays on the destination, and verify of this plan can never pass; ${NEW_PLAN_FOR_THE_REST}${twice}`,
    },
  );
}
