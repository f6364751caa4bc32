import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { KrerouteError } from '../common/errors.ts';
import type { PlanPartition, PlanTopic } from '../plan/plan.ts';
import type { RecordFilter } from '../plan/filter/record-filter.ts';
import { matching, ownRecords } from '../verify/record-readers.ts';
import { Placement } from './placement.ts';

/**
 * Mapping "same", paired as verify pairs them: the n-th planned record of the source partition
 * (matching the filter) is the n-th record our producers wrote in the destination window; records
 * of other producers between them are skipped. So the group, having consumed k planned records
 * (those below its committed offset), continues at the (k+1)-th copy.
 */
export async function placeSame(
  source: KafkaCluster,
  destination: KafkaCluster,
  topic: PlanTopic,
  planned: PlanPartition,
  window: { from: bigint; to: bigint },
  ours: Set<bigint>,
  filter: RecordFilter,
  committed: bigint | null,
): Promise<Placement> {
  let planRecords = 0;
  let consumed = 0;
  for await (const records of matching(source, topic.source, planned, filter, { other: 0, meter: null })) {
    for (const record of records) {
      planRecords++;
      if (committed !== null && record.offset < committed) consumed++;
    }
  }
  const placement = new Placement(window.from);
  for await (const records of ownRecords(destination, topic.destination, planned.destinationPartition!, window, ours, {
    foreign: 0,
    first: null,
    last: null,
  })) {
    for (const record of records) placement.add(record.offset, placement.copied < consumed);
  }
  if (placement.copied !== planRecords) {
    throw new KrerouteError(
      'VERIFY_FAILED',
      `${topic.destination}[${planned.destinationPartition}] holds ${placement.copied} copies of the ${planRecords} planned records of ${topic.source}[${planned.partition}]: offsets cannot be translated`,
      { hint: 'run kreroute verify on this plan again and translate only after it passed' },
    );
  }
  return placement;
}
