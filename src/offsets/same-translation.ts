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
 * (those below its committed offset), continues at the (k+1)-th copy. One read of both sides
 * places every group (committed: each group's offset on the source partition, null for none).
 */
export async function placeSame(
  source: KafkaCluster,
  destination: KafkaCluster,
  topic: PlanTopic,
  planned: PlanPartition,
  window: { from: bigint; to: bigint },
  ours: Set<bigint>,
  filter: RecordFilter,
  committed: Array<bigint | null>,
): Promise<Placement[]> {
  let planRecords = 0;
  const consumed = committed.map(() => 0);
  for await (const records of matching(source, topic.source, planned, filter, { other: 0, meter: null })) {
    for (const record of records) {
      planRecords++;
      committed.forEach((below, g) => {
        if (below !== null && record.offset < below) consumed[g]!++;
      });
    }
  }
  const placements = committed.map(() => new Placement(window.from));
  let copies = 0;
  const tally = { foreign: 0, first: null, last: null };
  for await (const records of ownRecords(destination, topic.destination, planned.destinationPartition!, window, ours, tally)) {
    for (const record of records) {
      placements.forEach((placement, g) => placement.add(record.offset, copies < consumed[g]!));
      copies++;
    }
  }
  if (copies !== planRecords) {
    throw new KrerouteError(
      'VERIFY_FAILED',
      `${topic.destination}[${planned.destinationPartition}] holds ${copies} copies of the ${planRecords} planned records of ${topic.source}[${planned.partition}]: offsets cannot be translated`,
      { hint: 'run kreroute verify on this plan again and translate only after it passed' },
    );
  }
  return placements;
}
