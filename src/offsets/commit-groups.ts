import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import type { GroupTranslation } from './offsets-report.ts';

/**
 * Commits translated offsets on the destination, as `kafka-consumer-groups --reset-offsets`
 * would: only for groups without active members there (a member would overwrite them, and Kafka
 * refuses commits from outside a live group), and never backwards over records the group
 * consumed there unless allowed. Every group is checked before any is committed.
 */
export async function commitGroups(destination: KafkaCluster, groups: GroupTranslation[], allowReplay: boolean): Promise<void> {
  for (const { group, partitions } of groups) {
    const activity = await destination.groupActivity(group);
    if (activity.members > 0) {
      throw new KrerouteError(
        'BAD_INPUT',
        `group ${group} has ${activity.members} active member${activity.members === 1 ? '' : 's'} on the destination (state ${activity.state}): its offsets were not changed`,
        { hint: "stop the group's consumers on the destination (or wait for their sessions to end), then run again" },
      );
    }
    const back = partitions.find((p) => p.move === 'backward');
    if (back && !allowReplay) {
      throw new KrerouteError(
        'BAD_INPUT',
        `group ${group} would move backwards on ${back.destinationTopic}[${back.destinationPartition}] from ${back.destinationCommitted} to ${back.translated}, over ${-BigInt(back.offsetsMoved!)} offsets it already consumed there: nothing committed`,
        { hint: 'give --allow-replay to move it back and have it read those records again' },
      );
    }
  }
  for (const translation of groups) {
    const byTopic = new Map<string, Map<number, bigint>>();
    for (const p of translation.partitions) {
      // Where nothing was copied there is nothing to continue at: the group's offset stays as it is.
      if (p.move === 'none' || p.copiedRecords === 0) continue;
      const offsets = byTopic.get(p.destinationTopic) ?? new Map<number, bigint>();
      offsets.set(p.destinationPartition, BigInt(p.translated));
      byTopic.set(p.destinationTopic, offsets);
    }
    for (const [topic, offsets] of byTopic) await destination.commitOffsets(translation.group, topic, offsets);
    translation.committed = true;
  }
}
