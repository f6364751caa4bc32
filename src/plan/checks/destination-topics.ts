import { KrerouteError } from '../../common/errors.ts';
import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { stampsAppendTime } from './destination-checks.ts';
import type { Plan } from '../plan.ts';

/**
 * Before copy or verify touches a destination partition: each destination topic of the plan still
 * exists with the partitions the plan was made for. Without this, a deleted topic shows only as
 * minutes of metadata retries and then a generic Kafka error.
 */
export async function checkDestinationTopics(plan: Plan, destination: KafkaCluster, step: 'copy' | 'verify'): Promise<void> {
  const layouts = await destination.topicLayouts(plan.topics.map((t) => t.destination));
  for (const topic of plan.topics) {
    const layout = layouts.get(topic.destination);
    if (!layout) {
      throw new KrerouteError(
        'DESTINATION_CHECK',
        `destination topic ${topic.destination} does not exist on ${destination.label}${step === 'verify' ? ' (deleted since the copy?)' : ''}`,
        {
          hint:
            step === 'copy'
              ? 'create it (or plan again with --create-topics)'
              : 'the records copied there went with it, so verify of this plan can never pass: make a new plan (plan --create-topics) and copy again',
        },
      );
    }
    // verify reads only the planned partitions: partitions added since the copy do not hide anything.
    const changed = step === 'copy' ? layout.partitions !== topic.destinationPartitions : layout.partitions < topic.destinationPartitions;
    if (changed) {
      throw new KrerouteError(
        'DESTINATION_CHECK',
        `destination ${topic.destination} has ${layout.partitions} partitions, the plan was made for ${topic.destinationPartitions}`,
        {
          hint:
            step === 'copy'
              ? 'make a new plan: the partition mapping depends on the count'
              : 'the topic was recreated since the copy, so verify of this plan can never pass: make a new plan and copy again',
        },
      );
    }
  }
}

/** A destination switched to LogAppendTime after the plan was made would rewrite every timestamp the plan promised to keep. */
export async function checkDestinationTimestamps(plan: Plan, destination: KafkaCluster): Promise<void> {
  for (const topic of plan.topics) {
    if (topic.destinationTimestamps === 'log-append-time') continue;
    if (stampsAppendTime((await destination.topicConfigs(topic.destination)).all)) {
      throw new KrerouteError(
        'DESTINATION_CHECK',
        `destination ${topic.destination} now uses message.timestamp.type=LogAppendTime: copies would lose their original timestamps, which the plan keeps`,
        {
          hint: 'set message.timestamp.type=CreateTime on the destination topic, or make a new plan with --accept-log-append-time',
        },
      );
    }
  }
}
