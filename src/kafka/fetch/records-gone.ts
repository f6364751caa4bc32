import { KrerouteError } from '../../common/errors.ts';
import type { KafkaCluster } from '../client/cluster.ts';

/**
 * A fetch at an offset the partition no longer holds (OFFSET_OUT_OF_RANGE below its log start), said
 * by the side it was read from: on the source the plan cannot be completed (make a new plan); on the
 * destination, copies kreroute was reading were deleted under it (its retention, DeleteRecords, or a
 * recreated topic), which no new plan fixes.
 */
export function recordsGone(cluster: KafkaCluster, topic: string, partition: number, offset: bigint): KrerouteError {
  const where = `offset ${offset} of ${topic}[${partition}] is no longer on ${cluster.label} (retention or DeleteRecords removed it, or the topic was recreated)`;
  if (cluster.side === 'destination') {
    return new KrerouteError('DESTINATION_TRUNCATED', `${where} while kreroute read it`, {
      hint: "check the destination topic's retention.ms and retention.bytes and who deletes records there, then run the command again",
    });
  }
  return new KrerouteError('SOURCE_TRUNCATED', where, { hint: 'make a new plan; records that were deleted cannot be copied' });
}
