import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import type { CopyCheckpoint } from '../../checkpoint/copy-checkpoint.ts';
import type { Plan, PlanTopic } from '../../plan/plan.ts';
import type { ProgressMeter } from '../../common/progress-meter.ts';
import { type Windows, destinationWindows } from '../destination-windows.ts';
import { findDuplicates } from '../duplicates/duplicate-check.ts';
import { withDuplicates } from '../duplicates/duplicate-report.ts';
import { plannedTimestamps } from '../planned-span.ts';
import { compareSpill } from './keyed-compare.ts';
import { nameKeys } from './keyed-examples.ts';
import type { KeyHash } from '../keyed-key-hash.ts';
import { readKeyedSides } from './keyed-read.ts';
import { KeyedSpill } from '../keyed-spill.ts';
import type { PartitionVerdict, VerifyReport } from '../report.ts';

/**
 * Mapping "key-hash": several source partitions feed each destination partition and only the
 * order per key is kept. One read of both sides (readKeyedSides) gives per destination partition
 * the counts and order-free sums of record digests that prove the content, and spills each
 * record's trace to disk; the spill is then compared bucket by bucket for the order per key
 * (compareSpill). Memory stays flat however many records and keys. Only a failing verify reads
 * again, to name the keys that differ. Planned records written more than once by anyone fail it
 * too (findDuplicates).
 */
export async function verifyKeyed(
  plan: Plan,
  topic: PlanTopic,
  checkpoint: CopyCheckpoint,
  source: KafkaCluster,
  destination: KafkaCluster,
  ours: Set<bigint>,
  otherRecords: VerifyReport['otherRecords'],
  maxExamples: number,
  meter: ProgressMeter,
  onSearch?: (message: string) => void,
): Promise<PartitionVerdict[]> {
  const partitions = [...Array(topic.destinationPartitions).keys()];
  const windows = await destinationWindows(destination, checkpoint, topic, partitions);
  const context = { plan, topic, source, destination, ours, windows };
  const spill = await KeyedSpill.create(keysAtMost(topic, windows));
  try {
    const sides = await readKeyedSides(context, spill, meter);
    const differing = partitions.map(() => ({ groups: 0, examples: [] as KeyHash[] }));
    await compareSpill(spill, (d, key) => {
      const found = differing[d]!;
      found.groups++;
      if (found.examples.length < maxExamples) found.examples.push({ ...key });
    });
    const keys = await nameKeys(
      context,
      differing.map((d) => d.examples),
    );
    for (const p of topic.partitions) otherRecords.push({ topic: topic.source, partition: p.partition, count: sides.tallies.other.get(p.partition)! });
    const foreign = new Map(partitions.map((d) => [d, sides.tallies.foreign[d]!]));
    const duplicates = await findDuplicates({ plan, topic, source, destination, windows, ours, foreign, maxExamples, ...(onSearch ? { onSearch } : {}) });
    return partitions.map((d) => {
      const [sourceCount, destinationCount] = [sides.source.count(d), sides.destination.count(d)];
      const [sourceDigest, destinationDigest] = [sides.source.hex(d), sides.destination.hex(d)];
      const verdict: PartitionVerdict = {
        sourceTopic: topic.source,
        sourcePartitions: topic.partitions.map((p) => p.partition),
        destinationTopic: topic.destination,
        destinationPartition: d,
        sourceCount,
        destinationCount,
        sourceDigest,
        destinationDigest,
        foreignRecords: sides.tallies.foreign[d]!,
        anchors: sides.anchors[d]!,
        readTo: String(windows.get(d)!.to),
        plannedTimestamps: plannedTimestamps(sides.tallies.spans.get(d)),
        passed: sourceCount === destinationCount && sourceDigest === destinationDigest && differing[d]!.groups === 0,
        firstDivergence: null,
        missing: [],
        extra: [],
        altered: [],
        differingKeys: keys[d]!,
      };
      return withDuplicates(verdict, duplicates.get(d));
    });
  } finally {
    await spill.remove();
  }
}

/** Distinct keys are at most the records of the larger side, and records at most the offsets read. */
function keysAtMost(topic: PlanTopic, windows: Windows): number {
  const source = topic.partitions.reduce((n, p) => n + p.upperBound, 0);
  const destination = [...windows.values()].reduce((n, w) => n + Number(w.to - w.from), 0);
  return Math.max(source, destination);
}
