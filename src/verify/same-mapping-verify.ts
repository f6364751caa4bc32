import type { KafkaCluster } from '../kafka/cluster.ts';
import { type StoredBatch, forEachStoredRecord } from '../kafka/committed-batches.ts';
import { RecordCursor } from '../kafka/record-cursor.ts';
import type { CopyCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import type { Plan, PlanPartition, PlanTopic } from '../plan/plan.ts';
import { compileRawFilter, storedFields } from '../plan/raw-record-filter.ts';
import type { RecordFilter } from '../plan/record-filter.ts';
import type { ProgressMeter } from '../copy/progress-meter.ts';
import { type ScanRange, scanRanges } from '../scan/range-scanner.ts';
import { destinationWindows } from './destination-windows.ts';
import { digestFieldsOf, recordDigest } from './record-digest.ts';
import { type OwnTally, type SourceTally, anchorsOf, matching, ownRecords } from './record-readers.ts';
import { compareSequences } from './sequence-compare.ts';
import { DigestFeeder, StreamDigest } from './stream-digest.ts';
import type { PartitionVerdict, RecordAnchor, VerifyReport } from './verify-plan.ts';

/** One source partition and the destination partition it was copied to (mapping "same"). */
interface Pair {
  topic: PlanTopic;
  planned: PlanPartition;
  destinationPartition: number;
  /** Where on the destination partition the copies can lie (see destinationWindows). */
  window: { from: bigint; to: bigint };
  source: StreamDigest;
  destination: StreamDigest;
  other: number;
  foreign: number;
  first: RecordAnchor | null;
  last: RecordAnchor | null;
}

interface SourceRange extends ScanRange {
  pair: Pair;
}
interface DestinationRange extends ScanRange {
  pair: Pair;
}

export interface SameMappingContext {
  plan: Plan;
  checkpoint: CopyCheckpoint;
  source: KafkaCluster;
  destination: KafkaCluster;
  filter: RecordFilter;
  ours: Set<bigint>;
  maxExamples: number;
  meter: ProgressMeter;
  signal?: AbortSignal;
}

/**
 * Mapping "same": every source partition against its destination partition. A first pass reads
 * all source ranges and all destination windows at once, both clusters side by side, and digests
 * records from their stored bytes (see StreamDigest). Only a partition whose counts or digests
 * differ is read again, record by record, to say where and how (compareSequences): a passing
 * verify pays nothing for the examples a failing one gives.
 */
export async function verifySameMapping(context: SameMappingContext, otherRecords: VerifyReport['otherRecords']): Promise<PartitionVerdict[]> {
  const { plan, checkpoint, source, destination, meter } = context;
  const pairs: Pair[] = [];
  const sourceRanges: SourceRange[] = [];
  const destinationRanges: DestinationRange[] = [];
  for (const topic of plan.topics) {
    const windows = await destinationWindows(destination, checkpoint, topic, topic.partitions.map((p) => p.destinationPartition!));
    const fields = digestFieldsOf(topic);
    for (const planned of topic.partitions) {
      const d = planned.destinationPartition!;
      const window = windows.get(d)!;
      const pair: Pair = { topic, planned, destinationPartition: d, window, source: new StreamDigest(fields), destination: new StreamDigest(fields), other: 0, foreign: 0, first: null, last: null };
      pairs.push(pair);
      sourceRanges.push({ topic: topic.source, partition: planned.partition, from: BigInt(planned.start), end: BigInt(planned.end), pair });
      destinationRanges.push({ topic: topic.destination, partition: d, from: window.from, end: window.to, pair });
    }
  }
  const filter = plan.filter === null ? null : compileRawFilter(plan.filter);
  const feeder = await DigestFeeder.create();
  const cursor = new RecordCursor(Buffer.alloc(0));
  const options = { checkCrc: false, ...(context.signal ? { signal: context.signal } : {}) };
  await Promise.all([
    scanRanges(
      source,
      sourceRanges,
      {
        batch({ pair }, batch) {
          let records = 0;
          let bytes = 0;
          feeder.begin(pair.source);
          forEachStoredRecord(batch, cursor, (at) => {
            if (filter !== null && !filter(batch.records, at.tailStart)) {
              pair.other++;
              return;
            }
            feeder.add(batch.records, at.tailStart, at.end, at.timestamp);
            records++;
            bytes += at.end - at.tailStart;
          });
          feeder.end();
          meter.add(records, bytes);
        },
      },
      options,
    ),
    scanRanges(
      destination,
      destinationRanges,
      {
        batch({ pair }, batch) {
          if (!context.ours.has(batch.view.producerId)) {
            pair.foreign += batch.endDelta - batch.firstDelta;
            return;
          }
          let lastTail = -1;
          let lastTimestamp = 0;
          let lastDelta = 0;
          feeder.begin(pair.destination);
          forEachStoredRecord(batch, cursor, (at) => {
            if (pair.first === null) pair.first = anchorAt(batch, at.tailStart, at.timestamp, at.offsetDelta);
            feeder.add(batch.records, at.tailStart, at.end, at.timestamp);
            [lastTail, lastTimestamp, lastDelta] = [at.tailStart, at.timestamp, at.offsetDelta];
          });
          feeder.end();
          if (lastTail >= 0) pair.last = anchorAt(batch, lastTail, lastTimestamp, lastDelta);
        },
      },
      options,
    ),
  ]);
  feeder.finish(pairs.flatMap((pair) => [pair.source, pair.destination]));
  const verdicts: PartitionVerdict[] = [];
  for (const pair of pairs) {
    otherRecords.push({ topic: pair.topic.source, partition: pair.planned.partition, count: pair.other });
    const sourceDigest = pair.source.digest!;
    const destinationDigest = pair.destination.digest!;
    const passed = pair.source.count === pair.destination.count && sourceDigest === destinationDigest;
    if (!passed) {
      verdicts.push(await explainDifferences(context, pair));
      continue;
    }
    verdicts.push({
      ...identify(pair),
      sourceCount: pair.source.count,
      destinationCount: pair.destination.count,
      sourceDigest,
      destinationDigest,
      foreignRecords: pair.foreign,
      anchors: pair.first && pair.last ? { first: pair.first, last: pair.last } : null,
      passed,
      firstDivergence: null,
      missing: [],
      extra: [],
      altered: [],
    });
  }
  return verdicts;
}

function identify(pair: Pair): Pick<PartitionVerdict, 'sourceTopic' | 'sourcePartitions' | 'destinationTopic' | 'destinationPartition'> {
  return { sourceTopic: pair.topic.source, sourcePartitions: [pair.planned.partition], destinationTopic: pair.topic.destination, destinationPartition: pair.destinationPartition };
}

/** A destination record as purge will look for it again: its offset and its record digest (see recordDigest). */
function anchorAt(batch: StoredBatch, tailStart: number, timestamp: number, offsetDelta: number): RecordAnchor {
  const fields = storedFields(batch.records, tailStart);
  return { offset: String(batch.view.baseOffset + BigInt(offsetDelta)), digest: recordDigest({ ...fields, timestamp: BigInt(timestamp) }).toString('hex') };
}

/**
 * The second, targeted pass over one partition whose digests differ: both sides read again and
 * compared record by record, decoded. Its verdict stands, with the first divergent position and
 * examples; a partition whose records are equal field by field although their stored encodings
 * differ passes here.
 */
async function explainDifferences(context: SameMappingContext, pair: Pair): Promise<PartitionVerdict> {
  const { topic, planned, destinationPartition: d, window } = pair;
  const sourceTally: SourceTally = { other: 0, meter: null };
  const own: OwnTally = { foreign: 0, first: null, last: null };
  const result = await compareSequences(
    { topic: topic.source, partition: planned.partition, records: matching(context.source, topic.source, planned, context.filter, sourceTally) },
    { topic: topic.destination, partition: d, records: ownRecords(context.destination, topic.destination, d, window, context.ours, own) },
    context.maxExamples,
    digestFieldsOf(topic),
  );
  return { ...identify(pair), foreignRecords: own.foreign, anchors: anchorsOf(own), ...result };
}
