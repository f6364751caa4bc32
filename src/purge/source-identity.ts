import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import type { PlanTopic } from '../plan/plan.ts';
import { anchorState } from '../plan/source-anchors.ts';
import { refuseRecreatedTopics, topicRecreated } from '../plan/checks/topic-identity.ts';

/** A partition purge is about to delete from: where its log starts now. */
export interface PurgeTarget {
  partition: number;
  logStart: bigint;
}

/**
 * Immediately before DeleteRecords on a source topic (which takes a name, not an id): the topic is
 * still the one the plan was made for — same topic id, and the first and last planned record of
 * each range to delete still at their offsets, unchanged (those below the log start are gone
 * already, by an earlier purge or retention, and prove nothing either way). A plan made before
 * kreroute recorded ids and anchors cannot show this, so purge refuses it.
 */
export async function confirmSourceTopic(source: KafkaCluster, topic: PlanTopic, targets: PurgeTarget[]): Promise<void> {
  const unanchored = topic.partitions.some((p) => p.anchors === undefined);
  if (topic.sourceTopicId === undefined || unanchored) {
    throw new KrerouteError(
      'PURGE_UNSAFE',
      `purge refused: the plan records no topic id${unanchored ? ' or record anchors' : ''} of source topic ${topic.source} (made by an older kreroute, or on brokers without topic ids), so purge cannot tell it from a topic recreated under the same name`,
      {
        hint: 'leave the source to its retention, or, once you have made sure the topic was not recreated since the copy, delete the range yourself (kafka-delete-records); a new plan over the same range would copy it a second time',
      },
    );
  }
  await refuseRecreatedTopics({ topics: [topic] }, { source }, 'purge');
  let compacted: boolean | undefined;
  for (const target of targets) {
    const anchors = topic.partitions.find((p) => p.partition === target.partition)?.anchors;
    if (!anchors) continue;
    for (const anchor of [anchors.first, anchors.last]) {
      if (BigInt(anchor.offset) < target.logStart) continue;
      const state = await anchorState(source, topic.source, target.partition, anchor);
      if (state === 'held') continue;
      // The cleaner of a compacted topic removes a record whose key came again: a gap where the
      // anchor was, in the topic of the same id, is that and not another topic.
      if (state === 'removed' && (compacted ??= isCompacted((await source.topicConfigs(topic.source)).all))) continue;
      throw topicRecreated(
        'source',
        topic.source,
        `the record at ${topic.source}[${target.partition}] offset ${anchor.offset} is ${state === 'removed' ? 'gone' : 'not the one planned'}`,
        'purge',
      );
    }
  }
}

function isCompacted(configs: Map<string, string>): boolean {
  return (configs.get('cleanup.policy') ?? '').split(',').some((policy) => policy.trim() === 'compact');
}
