import type { KafkaCluster } from '../kafka/cluster.ts';
import type { CopyCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import { destinationPartitionOf } from '../plan/partition-mapping.ts';
import type { Plan, PlanTopic } from '../plan/plan.ts';
import type { RecordFilter } from '../plan/record-filter.ts';
import type { ProgressMeter } from '../copy/progress-meter.ts';
import { destinationWindows } from './destination-windows.ts';
import { KeyedSummary, differingKeys } from './keyed-compare.ts';
import { digestFieldsOf } from './record-digest.ts';
import { type OwnTally, type SourceTally, anchorsOf, matching, ownRecords } from './record-readers.ts';
import type { PartitionVerdict, VerifyReport } from './verify-plan.ts';

/**
 * Mapping "key-hash": several source partitions feed each destination partition and only the
 * order per key is kept, so each destination partition is compared as a KeyedSummary.
 */
export async function verifyKeyed(
  plan: Plan,
  topic: PlanTopic,
  checkpoint: CopyCheckpoint,
  source: KafkaCluster,
  destination: KafkaCluster,
  filter: RecordFilter,
  ours: Set<bigint>,
  otherRecords: VerifyReport['otherRecords'],
  maxExamples: number,
  meter: ProgressMeter,
): Promise<PartitionVerdict[]> {
  const expected = Array.from({ length: topic.destinationPartitions }, () => new KeyedSummary(digestFieldsOf(topic)));
  for (const planned of topic.partitions) {
    const tally: SourceTally = { other: 0, meter };
    for await (const chunk of matching(source, topic.source, planned, filter, tally)) {
      for (const record of chunk) expected[destinationPartitionOf(plan.mapping, record.key, planned.partition, topic.destinationPartitions)]!.add(record, planned.partition);
    }
    otherRecords.push({ topic: topic.source, partition: planned.partition, count: tally.other });
  }
  const verdicts: PartitionVerdict[] = [];
  const windows = await destinationWindows(destination, checkpoint, topic, [...Array(topic.destinationPartitions).keys()]);
  for (let d = 0; d < topic.destinationPartitions; d++) {
    const want = expected[d]!.finish();
    const actual = new KeyedSummary(digestFieldsOf(topic), want.spread);
    const tally: OwnTally = { foreign: 0, first: null, last: null };
    for await (const chunk of ownRecords(destination, topic.destination, d, windows.get(d)!, ours, tally)) for (const record of chunk) actual.add(record);
    const got = actual.finish();
    const keys = differingKeys(want.perKey, got.perKey, maxExamples);
    verdicts.push({
      sourceTopic: topic.source,
      sourcePartitions: topic.partitions.map((p) => p.partition),
      destinationTopic: topic.destination,
      destinationPartition: d,
      sourceCount: want.count,
      destinationCount: got.count,
      sourceDigest: want.digest,
      destinationDigest: got.digest,
      foreignRecords: tally.foreign,
      anchors: anchorsOf(tally),
      passed: want.count === got.count && want.digest === got.digest && keys.length === 0,
      firstDivergence: null,
      missing: [],
      extra: [],
      altered: [],
      differingKeys: keys,
    });
  }
  return verdicts;
}
