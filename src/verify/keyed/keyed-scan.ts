import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { type StoredBatch, type StoredRecordPosition, forEachStoredRecord } from '../../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../../kafka/wire/batch/record-cursor.ts';
import { destinationPartitionOf } from '../../plan/partition-mapping.ts';
import type { Plan, PlanTopic } from '../../plan/plan.ts';
import { compileRawFilter } from '../../plan/filter/raw-record-filter.ts';
import { translateInPlace } from '../../schemas/record-translation.ts';
import { type ScanRange, scanRanges } from '../../kafka/fetch/range-scanner.ts';
import type { Windows } from '../destination-windows.ts';
import { DESTINATION_SIDE } from '../keyed-spill.ts';
import { type TimeSpan, widenSpan } from '../planned-span.ts';

export interface KeyedScanContext {
  plan: Plan;
  topic: PlanTopic;
  source: KafkaCluster;
  destination: KafkaCluster;
  /** The copy's producer ids: other producers' batches on the destination are foreign. */
  ours: Set<bigint>;
  windows: Windows;
}

/** A record being visited, read in place; the object and its views are reused from record to record. */
export interface KeyedRecord {
  batch: StoredBatch;
  at: StoredRecordPosition;
  /** A view of the key in the batch. */
  key: Buffer | null;
  /** Its destination partition: where the copy put it (source side), where it is (destination side). */
  partition: number;
  /** Where it came from; DESTINATION_SIDE for a destination record. */
  sourcePartition: number;
}

export interface KeyedVisitor {
  /** A source record the plan's filter matches, or one of the copy's records on the destination. */
  record(record: KeyedRecord): void;
  /** After a destination batch with records of the copy, `record` still its last one. */
  ownBatchDone?(record: KeyedRecord): void;
}

export interface KeyedTallies {
  /** Per source partition: records the filter did not match. */
  other: Map<number, number>;
  /** Per destination partition: records other producers wrote inside the window. */
  foreign: number[];
  /** Per destination partition: the planned records' time span. */
  spans: Map<number, TimeSpan>;
}

interface SourceRange extends ScanRange {
  sourcePartition: number;
}

/**
 * Reads a key-hash plan's source ranges and its destination windows at once, both clusters side
 * by side, through the copy's raw fetch path (see scanRanges), and hands each record to the
 * visitor with its key and destination partition, never decoded (a translated topic's source
 * records with the plan's schema ids, see translateIds). `partitions`: the destination
 * partitions to read (default all). A failure on one side stops the other; so does `signal`.
 */
export async function scanKeyed(
  context: KeyedScanContext,
  visitor: KeyedVisitor,
  options: { partitions?: number[]; signal?: AbortSignal } = {},
): Promise<KeyedTallies> {
  const { plan, topic, ours, windows } = context;
  const filter = plan.filter === null ? null : compileRawFilter(plan.filter);
  const tallies: KeyedTallies = {
    other: new Map(topic.partitions.map((p) => [p.partition, 0])),
    foreign: new Array<number>(topic.destinationPartitions).fill(0),
    spans: new Map(),
  };
  const sourceRanges: SourceRange[] = topic.partitions.map((p) => ({
    topic: topic.source,
    partition: p.partition,
    from: BigInt(p.start),
    end: BigInt(p.end),
    sourcePartition: p.partition,
  }));
  const partitions = options.partitions ?? [...windows.keys()];
  const destinationRanges: ScanRange[] = partitions.map((d) => ({
    topic: topic.destination,
    partition: d,
    from: windows.get(d)!.from,
    end: windows.get(d)!.to,
  }));
  const cursor = new RecordCursor(Buffer.alloc(0));
  const keys = new RecordCursor(Buffer.alloc(0));
  const idMap = topic.schemaIdMap;
  // --schemas translate: a source record is seen as its copy was written, with the plan's schema ids,
  // rewritten in its fetched bytes before its partition, key hash and digest are taken.
  const translateIds = (batch: StoredBatch, at: StoredRecordPosition, map: Readonly<Record<string, number>>): void => {
    const offset = batch.view.baseOffset + BigInt(at.offsetDelta);
    translateInPlace(current.key, map, offset);
    translateInPlace(keys.bytes(), map, offset);
  };
  // Filled in before each visit.
  const current: KeyedRecord = { batch: null!, at: null!, key: null, partition: 0, sourcePartition: 0 };
  const enter = (batch: StoredBatch, at: StoredRecordPosition): void => {
    keys.buffer = batch.records;
    keys.position = at.tailStart;
    current.batch = batch;
    current.at = at;
    current.key = keys.bytes();
  };
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const sides = [
    scanRanges(
      context.source,
      sourceRanges,
      {
        batch({ sourcePartition }, batch) {
          let other = 0;
          forEachStoredRecord(batch, cursor, (at) => {
            if (filter !== null && !filter(batch.records, at.tailStart)) {
              other++;
              return;
            }
            enter(batch, at);
            if (idMap) translateIds(batch, at, idMap);
            current.sourcePartition = sourcePartition;
            current.partition = destinationPartitionOf(plan.mapping, current.key, sourcePartition, topic.destinationPartitions);
            tallies.spans.set(current.partition, widenSpan(tallies.spans.get(current.partition) ?? null, at.timestamp, at.timestamp));
            visitor.record(current);
          });
          if (other > 0) tallies.other.set(sourcePartition, tallies.other.get(sourcePartition)! + other);
        },
      },
      { signal },
    ),
    scanRanges(
      context.destination,
      destinationRanges,
      {
        batch({ partition }, batch) {
          if (!ours.has(batch.view.producerId)) {
            tallies.foreign[partition]! += batch.endDelta - batch.firstDelta;
            return;
          }
          let any = false;
          forEachStoredRecord(batch, cursor, (at) => {
            enter(batch, at);
            current.sourcePartition = DESTINATION_SIDE;
            current.partition = partition;
            visitor.record(current);
            any = true;
          });
          if (any) visitor.ownBatchDone?.(current);
        },
      },
      { signal },
    ),
  ].map((side) =>
    side.catch((error: unknown) => {
      stop.abort();
      throw error;
    }),
  );
  const settled = await Promise.allSettled(sides);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return tallies;
}
