import type { KafkaCluster } from '../kafka/cluster.ts';
import { type StoredBatch, type StoredRecordPosition, forEachStoredRecord } from '../kafka/committed-batches.ts';
import { RecordCursor } from '../kafka/record-cursor.ts';
import { destinationPartitionOf } from '../plan/partition-mapping.ts';
import type { Plan, PlanTopic } from '../plan/plan.ts';
import { compileRawFilter } from '../plan/raw-record-filter.ts';
import { type ScanRange, scanRanges } from '../scan/range-scanner.ts';
import type { Windows } from './destination-windows.ts';
import { type DuplicateCandidate, type Duplicates, nameDuplicates } from './duplicate-report.ts';
import { StoredRecordDigest } from './keyed-record-digest.ts';
import { DESTINATION_SIDE, ENTRY_WORDS, KeyedSpill } from './keyed-spill.ts';
import { digestFieldsOf } from './record-digest.ts';

export interface DuplicateContext {
  plan: Plan;
  topic: PlanTopic;
  source: KafkaCluster;
  destination: KafkaCluster;
  /** The windows the comparison read (see destinationWindows): the search reaches at least as far. */
  windows: Windows;
  maxExamples: number;
  signal?: AbortSignal;
}

/** Planned records a spill bucket is sized for: its comparison then holds some 10 MB. */
const PLANNED_PER_BUCKET = 1 << 16;
/** Destination offsets kept per duplicated record. */
const MAX_OFFSETS = 10;
const DESTINATION = DESTINATION_SIDE >>> 0;

interface SourceRange extends ScanRange {
  /** Mapping "same": where the copy puts this partition's records; null: by key. */
  destinationPartition: number | null;
}

/**
 * Finds planned records that are on the destination more often than the plan holds them, whoever
 * wrote the copies: a second plan over the same range, a copy run again after its state was lost,
 * another tool. The comparison proves only the copy's own records (its producer ids); this check
 * reads every record of the destination partition, of any producer, from the window's start — or
 * earlier, from the first offset whose timestamp reaches the oldest planned record's, since a copy
 * keeps its record's timestamp and so lies after that offset whichever run wrote it — to the
 * window's end. A record there counts when its digest (key, value, headers, timestamp as compared)
 * is a planned record's: other producers' newer records are allowed.
 *
 * Memory stays flat: each record's trace (destination partition, side, 64-bit digest, offset) goes
 * to a spill bucketed by digest, and a bucket is compared on its own: its planned records in a map,
 * then its destination records looked up. Two different records' 64-bit digests meet with odds of
 * 2^-64: at worst a record wrongly named twice, a failing verify, never a passing one.
 */
export async function findDuplicates(context: DuplicateContext): Promise<Map<number, Duplicates>> {
  const { topic } = context;
  const upperBound = topic.partitions.reduce((n, p) => n + p.upperBound, 0);
  const spill = await KeyedSpill.create(upperBound, Math.max(1, Math.ceil(upperBound / PLANNED_PER_BUCKET)));
  try {
    const tracer = new Tracer(spill, digestFieldsOf(topic));
    const oldest = await tracePlanned(context, tracer);
    const from = await searchStarts(context, oldest);
    await traceDestination(context, tracer, from);
    const candidates = await compareBuckets(spill, context.maxExamples);
    const found = new Map<number, Duplicates>();
    for (const [d, start] of from) {
      const { records, examples } = candidates.get(d) ?? { records: 0, examples: [] };
      found.set(d, { records, searchedFrom: String(start), examples: await nameDuplicates(context.source, topic.source, examples) });
    }
    return found;
  } finally {
    await spill.remove();
  }
}

/** Puts records' traces into the spill. */
class Tracer {
  readonly #spill: KeyedSpill;
  readonly #digests: StoredRecordDigest;

  constructor(spill: KeyedSpill, fields: ConstructorParameters<typeof StoredRecordDigest>[0]) {
    this.#spill = spill;
    this.#digests = new StoredRecordDigest(fields);
  }

  add(partition: number, side: number, batch: StoredBatch, at: StoredRecordPosition): void {
    const digest = this.#digests.of(batch.records, at.tailStart, at.end, at.timestamp);
    const offset = batch.view.baseOffset + BigInt(at.offsetDelta);
    this.#spill.addWords(partition, side, digest.readUInt32LE(0), digest.readUInt32LE(4), Number(offset & 0xffffffffn), Number(offset >> 32n));
  }
}

/** Traces every planned record (the filter's matches) under its destination partition; returns per destination partition the oldest planned timestamp. */
async function tracePlanned(context: DuplicateContext, tracer: Tracer): Promise<Map<number, number>> {
  const { plan, topic } = context;
  const filter = plan.filter === null ? null : compileRawFilter(plan.filter);
  const cursor = new RecordCursor(Buffer.alloc(0));
  const keys = new RecordCursor(Buffer.alloc(0));
  const oldest = new Map<number, number>();
  const ranges: SourceRange[] = topic.partitions.map((p) => ({ topic: topic.source, partition: p.partition, from: BigInt(p.start), end: BigInt(p.end), destinationPartition: plan.mapping === 'same' ? p.destinationPartition : null }));
  await scanRanges(
    context.source,
    ranges,
    {
      batch(range, batch) {
        forEachStoredRecord(batch, cursor, (at) => {
          if (filter !== null && !filter(batch.records, at.tailStart)) return;
          let d = range.destinationPartition;
          if (d === null) {
            keys.buffer = batch.records;
            keys.position = at.tailStart;
            d = destinationPartitionOf(plan.mapping, keys.bytes(), range.partition, topic.destinationPartitions);
          }
          tracer.add(d, range.partition, batch, at);
          const before = oldest.get(d);
          if (before === undefined || at.timestamp < before) oldest.set(d, at.timestamp);
        });
      },
    },
    { checkCrc: false, ...(context.signal ? { signal: context.signal } : {}) },
  );
  return oldest;
}

/**
 * Where to search each destination partition that receives planned records: the window's start,
 * or the first offset stamped at or after the oldest planned record if that lies before it.
 */
async function searchStarts(context: DuplicateContext, oldest: Map<number, number>): Promise<Map<number, bigint>> {
  const { destination, topic, windows } = context;
  const starts = new Map<number, bigint>();
  for (const [d, timestamp] of oldest) {
    const window = windows.get(d);
    if (!window) continue;
    // A negative timestamp would ask ListOffsets for "latest" or "earliest": such records are searched for from the log start.
    const [listed] = await destination.listOffsets(topic.destination, [d], timestamp < 0 ? { kind: 'earliest' } : { kind: 'timestamp', ms: BigInt(timestamp) }, true);
    const at = listed?.offset ?? -1n;
    starts.set(d, at >= 0n && at < window.from ? at : window.from);
  }
  return starts;
}

/** Traces every record, of any producer, on each searched destination partition up to its window's end. */
async function traceDestination(context: DuplicateContext, tracer: Tracer, from: Map<number, bigint>): Promise<void> {
  const { topic, windows } = context;
  const cursor = new RecordCursor(Buffer.alloc(0));
  const ranges: ScanRange[] = [...from].map(([d, start]) => ({ topic: topic.destination, partition: d, from: start, end: windows.get(d)!.to }));
  await scanRanges(
    context.destination,
    ranges,
    {
      batch(range, batch) {
        forEachStoredRecord(batch, cursor, (at) => tracer.add(range.partition, DESTINATION_SIDE, batch, at));
      },
    },
    { checkCrc: false, ...(context.signal ? { signal: context.signal } : {}) },
  );
}

interface Tally {
  partition: number;
  planned: number;
  found: number;
  sourcePartition: number;
  sourceOffset: bigint;
  offsets: bigint[];
}

const offsetOf = (entries: Uint32Array, e: number): bigint => (BigInt(entries[e + 5]!) << 32n) | BigInt(entries[e + 4]!);

/** Compares the spill bucket by bucket: per destination partition, the copies beyond the planned number and the first examples (by source position). */
async function compareBuckets(spill: KeyedSpill, maxExamples: number): Promise<Map<number, { records: number; examples: DuplicateCandidate[] }>> {
  spill.finish();
  const result = new Map<number, { records: number; examples: DuplicateCandidate[] }>();
  for (let bucket = 0; bucket < spill.buckets; bucket++) {
    const tallies = new Map<string, Tally>();
    const keyOf = (entries: Uint32Array, e: number) => `${entries[e]}/${entries[e + 2]}/${entries[e + 3]}`;
    await spill.forEachChunk(bucket, (entries, count) => {
      for (let e = 0; e < count * ENTRY_WORDS; e += ENTRY_WORDS) {
        if (entries[e + 1] === DESTINATION) continue;
        const key = keyOf(entries, e);
        const tally = tallies.get(key);
        if (tally) tally.planned++;
        else tallies.set(key, { partition: entries[e]!, planned: 1, found: 0, sourcePartition: entries[e + 1]!, sourceOffset: offsetOf(entries, e), offsets: [] });
      }
    });
    await spill.forEachChunk(bucket, (entries, count) => {
      for (let e = 0; e < count * ENTRY_WORDS; e += ENTRY_WORDS) {
        if (entries[e + 1] !== DESTINATION) continue;
        const tally = tallies.get(keyOf(entries, e));
        if (!tally) continue;
        tally.found++;
        if (tally.offsets.length < MAX_OFFSETS) tally.offsets.push(offsetOf(entries, e));
      }
    });
    for (const tally of tallies.values()) {
      if (tally.found <= tally.planned) continue;
      let partition = result.get(tally.partition);
      if (!partition) result.set(tally.partition, (partition = { records: 0, examples: [] }));
      partition.records += tally.found - tally.planned;
      partition.examples.push({ sourcePartition: tally.sourcePartition, sourceOffset: tally.sourceOffset, planned: tally.planned, copies: tally.found, destinationOffsets: tally.offsets });
    }
    for (const partition of result.values()) {
      partition.examples.sort((a, b) => a.sourcePartition - b.sourcePartition || (a.sourceOffset < b.sourceOffset ? -1 : a.sourceOffset > b.sourceOffset ? 1 : 0));
      partition.examples.length = Math.min(partition.examples.length, maxExamples);
    }
  }
  return result;
}
