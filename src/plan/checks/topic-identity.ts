import { KrerouteError } from '../../common/errors.ts';
import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import type { Plan, PlanTopic } from '../plan.ts';

export type IdentityStep = 'copy' | 'verify' | 'purge';
type Side = 'source' | 'destination';

const HINTS: Record<Side, Record<IdentityStep, string>> = {
  source: {
    copy: 'the planned records went with the old topic; nothing was copied: make a new plan for the topic as it is now',
    verify:
      'the records this plan copied went with the old topic, so it can never be verified; the copy on the destination stays: make a new plan for what the new topic holds',
    purge:
      "nothing was deleted: the records this plan copied went with the old topic, and the new topic's records were never copied (make a new plan for them)",
  },
  destination: {
    copy: "the plan's destination offsets belong to the old topic: make a new plan for the destination as it is now",
    verify: 'the records copied there went with the old topic: make a new plan and copy again',
    purge: 'nothing was deleted: the copy went with the old destination topic; make a new plan, copy and verify it before purging',
  },
};

/**
 * Refuses a topic of the plan whose id (KIP-516) is not the one the plan recorded: it was deleted
 * and recreated under the same name, and offsets, records and verdicts of the plan no longer
 * describe it. Topics the plan has no id for, and topics that no longer exist, are left to the
 * checks that handle them.
 */
export async function refuseRecreatedTopics(
  plan: Pick<Plan, 'topics'>,
  clusters: { source?: KafkaCluster; destination?: KafkaCluster },
  step: IdentityStep,
): Promise<void> {
  for (const side of ['source', 'destination'] as const) {
    const cluster = clusters[side];
    if (!cluster) continue;
    const recorded = plan.topics.filter((t) => recordedId(t, side) !== undefined);
    if (recorded.length === 0) continue;
    const layouts = await cluster.topicLayouts(recorded.map((t) => nameOn(t, side)));
    for (const topic of recorded) {
      const now = layouts.get(nameOn(topic, side))?.id;
      if (now && now !== recordedId(topic, side))
        throw topicRecreated(side, nameOn(topic, side), `topic id ${now}, the plan's ${recordedId(topic, side)}`, step);
    }
  }
}

/** The one line for a topic that is not the plan's any more; `evidence` says how it was told apart. */
export function topicRecreated(side: Side, topic: string, evidence: string, step: IdentityStep): KrerouteError {
  return new KrerouteError('TOPIC_RECREATED', `${side} topic ${topic} is not the topic the plan was made for (deleted and recreated since: ${evidence})`, {
    hint: HINTS[side][step],
  });
}

function nameOn(topic: PlanTopic, side: Side): string {
  return side === 'source' ? topic.source : topic.destination;
}

function recordedId(topic: PlanTopic, side: Side): string | undefined {
  return side === 'source' ? topic.sourceTopicId : topic.destinationTopicId;
}
