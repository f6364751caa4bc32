import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { type StoredBatch, type StoredRecordPosition, forEachStoredRecord } from '../../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../../kafka/wire/batch/record-cursor.ts';
import { destinationPartitionOf } from '../../plan/partition-mapping.ts';
import type { Plan, PlanTopic } from '../../plan/plan.ts';
import { compileRawFilter } from '../../plan/filter/raw-record-filter.ts';
import { type ScanRange, scanRanges } from '../../kafka/fetch/range-scanner.ts';
import type { Windows } from '../destination-windows.ts';
import { type DuplicateCandidate, nameDuplicates } from './duplicate-report.ts';
import type { Duplicates } from '../report.ts';
import { DuplicateTally } from './duplicate-tally.ts';
import type { KeyHash } from '../keyed-key-hash.ts';
import { RecordTracer } from '../record-trace.ts';
import { translateInPlace } from '../../schemas/record-translation.ts';
import { DESTINATION_SIDE, ENTRY_WORDS, KeyedSpill } from '../keyed-spill.ts';
import { type DigestFields, digestFieldsOf } from '../record-digest.ts';

export interface DuplicateContext {
  plan: Plan;
  topic: PlanTopic;
  source: KafkaCluster;
  destination: KafkaCluster;
  /** The windows the comparison read (see destinationWindows): the search reaches at least as far. */
  windows: Windows;
  /** The copy's producer ids: their records the comparison proved. */
  ours: Set<bigint>;
  /** Per destination partition: records of other producers the comparison counted in its window. */
  foreign: Map<number, number>;
  maxExamples: number;
  /** Told when the search reads the destination, and from where. */
  onSearch?: (message: string) => void;
  signal?: AbortSignal;
}

/** The planned records' timestamps per destination partition. */
interface Span {
  oldest: number;
  newest: number;
}

/** Planned records a spill bucket is sized for: its table then holds a few MB. */
const PLANNED_PER_BUCKET = 1 << 16;
const DESTINATION = DESTINATION_SIDE >>> 0;

interface SourceRange extends ScanRange {
  /** Mapping "same": where the copy puts this partition's records; null: by key. */
  destinationPartition: number | null;
}

/**
 * Finds planned records that are on the destination more often than the plan holds them, whoever
 * wrote the copies: a second plan over the same range, a copy run again after its state folder
 * and checkpoint topic were lost, another tool. The comparison proves the copy's own records (its
 * producer ids, every run's): each planned record among them once. So a record twice is one that
 * another producer wrote too: this search reads the other producers' records of each destination
 * partition from the window's start — or earlier, from the first offset whose timestamp reaches the
 * oldest planned record's, since a copy keeps its record's timestamp and so lies after that offset
 * whichever run wrote it — to the window's end. One counts when its digest (key, value, headers,
 * timestamp, as the comparison compares them) is a planned record's: other producers' newer
 * records are allowed. Where timestamps are compared, records stamped outside the planned span are
 * passed over undigested (a live destination's new records).
 *
 * Memory stays flat: each record's trace (destination partition, side, 64-bit hash, offset) goes
 * to a spill bucketed by hash, and a bucket is compared on its own (DuplicateTally): its planned
 * records in a table, then the destination's looked up. See Tracer for why 64 bits of a
 * non-cryptographic hash do.
 */
export async function findDuplicates(context: DuplicateContext): Promise<Map<number, Duplicates>> {
  const { topic } = context;
  const counted = countedSpans(context);
  if (counted && nothingToSearch(context, await searchStarts(context, counted))) return none(context);
  const upperBound = topic.partitions.reduce((n, p) => n + p.upperBound, 0);
  const spill = await KeyedSpill.create(upperBound, Math.max(1, Math.ceil(upperBound / PLANNED_PER_BUCKET)));
  try {
    const fields = digestFieldsOf(topic);
    const tracer = new Tracer(spill, fields);
    const spans = await tracePlanned(context, tracer);
    const from = await searchStarts(context, spans);
    const searched = [...from].filter(([d, start]) => start < context.windows.get(d)!.from || (context.foreign.get(d) ?? 0) > 0);
    if (searched.length > 0) {
      const where = searched.map(([d, start]) => `${topic.destination}[${d}] from ${start}`);
      context.onSearch?.(
        `searching other producers' records for copies of planned records: ${where.slice(0, 4).join(', ')}${where.length > 4 ? ` and ${where.length - 4} more` : ''}`,
      );
    }
    await traceDestination(context, tracer, searched, fields === 'all' ? spans : null);
    const candidates = await compareBuckets(spill, context.maxExamples, Math.ceil(upperBound / spill.buckets));
    const found = none(context);
    for (const [d, start] of from) {
      const { records, examples } = candidates.get(d) ?? { records: 0, examples: [] };
      found.set(d, { records, searchedFrom: String(start), examples: await nameDuplicates(context.source, topic.source, examples) });
    }
    return found;
  } finally {
    await spill.remove();
  }
}

/** Every destination partition's window searched, nothing found. */
function none(context: DuplicateContext): Map<number, Duplicates> {
  return new Map([...context.windows].map(([d, w]) => [d, { records: 0, searchedFrom: String(w.from), examples: [] }]));
}

/** Where other producers wrote nothing in the window and nothing before it is stamped within the planned span, no record can be twice. */
function nothingToSearch(context: DuplicateContext, from: Map<number, bigint>): boolean {
  return [...from].every(([d, start]) => start >= context.windows.get(d)!.from && (context.foreign.get(d) ?? 0) === 0);
}

/** The planned span per destination partition from the plan's exact counts (plan --exact), without reading the source; null without them. */
function countedSpans(context: DuplicateContext): Map<number, Span> | null {
  const { plan, topic } = context;
  if (topic.partitions.some((p) => p.exact === null)) return null;
  const spans = new Map<number, Span>();
  for (const p of topic.partitions) {
    const { minTimestamp, maxTimestamp } = p.exact!;
    if (minTimestamp === null || maxTimestamp === null) continue;
    const receivers = plan.mapping === 'same' ? [p.destinationPartition!] : [...Array(topic.destinationPartitions).keys()];
    for (const d of receivers) widen(spans, d, Number(minTimestamp), Number(maxTimestamp));
  }
  return spans;
}

function widen(spans: Map<number, Span>, d: number, oldest: number, newest: number): void {
  const span = spans.get(d);
  if (!span) spans.set(d, { oldest, newest });
  else {
    if (oldest < span.oldest) span.oldest = oldest;
    if (newest > span.newest) span.newest = newest;
  }
}

const WORD = 0x100000000;

/**
 * Puts records' traces into the spill: 64 bits (see RecordTracer) of the bytes the comparison's
 * record digest covers. Not cryptographic, and need not be: the same record always traces alike,
 * so no record twice is missed; two different records tracing alike (odds of 2^-64 a pair, or
 * chosen on purpose by another producer) would name a record twice that is not, failing verify.
 */
class Tracer {
  readonly #spill: KeyedSpill;
  readonly #records: RecordTracer;
  readonly #trace: KeyHash = { lo: 0, hi: 0 };
  #batch: StoredBatch | null = null;
  #baseLo = 0;
  #baseHi = 0;

  constructor(spill: KeyedSpill, fields: DigestFields) {
    this.#spill = spill;
    this.#records = new RecordTracer(fields);
  }

  add(partition: number, side: number, batch: StoredBatch, at: StoredRecordPosition): void {
    const trace = this.#records.of(batch.records, at.tailStart, at.end, at.timestamp, this.#trace);
    if (batch !== this.#batch) {
      this.#batch = batch;
      this.#baseLo = Number(batch.view.baseOffset & 0xffffffffn);
      this.#baseHi = Number(batch.view.baseOffset >> 32n);
    }
    const lo = this.#baseLo + at.offsetDelta;
    const carry = lo >= WORD ? 1 : 0;
    this.#spill.addWords(partition, side, trace.lo, trace.hi, lo - carry * WORD, this.#baseHi + carry);
  }
}

/** Traces every planned record (the filter's matches) under its destination partition; returns the planned span per destination partition. */
async function tracePlanned(context: DuplicateContext, tracer: Tracer): Promise<Map<number, Span>> {
  const { plan, topic } = context;
  const filter = plan.filter === null ? null : compileRawFilter(plan.filter);
  const cursor = new RecordCursor(Buffer.alloc(0));
  const keys = new RecordCursor(Buffer.alloc(0));
  const idMap = topic.schemaIdMap;
  const spans = new Map<number, Span>();
  const ranges: SourceRange[] = topic.partitions.map((p) => ({
    topic: topic.source,
    partition: p.partition,
    from: BigInt(p.start),
    end: BigInt(p.end),
    destinationPartition: plan.mapping === 'same' ? p.destinationPartition : null,
  }));
  await scanRanges(
    context.source,
    ranges,
    {
      batch(range, batch) {
        forEachStoredRecord(batch, cursor, (at) => {
          if (filter !== null && !filter(batch.records, at.tailStart)) return;
          keys.buffer = batch.records;
          keys.position = at.tailStart;
          const key = keys.bytes();
          // --schemas translate: a planned record is traced (and placed by its key) as its copy is
          // written, with the plan's ids, or another plan's translated copies would never match it.
          if (idMap) {
            const offset = batch.view.baseOffset + BigInt(at.offsetDelta);
            translateInPlace(key, idMap, offset);
            translateInPlace(keys.bytes(), idMap, offset);
          }
          const d = range.destinationPartition ?? destinationPartitionOf(plan.mapping, key, range.partition, topic.destinationPartitions);
          tracer.add(d, range.partition, batch, at);
          widen(spans, d, at.timestamp, at.timestamp);
        });
      },
    },
    { checkCrc: false, ...(context.signal ? { signal: context.signal } : {}) },
  );
  return spans;
}

/**
 * Where to search each destination partition that receives planned records: the window's start,
 * or the first offset stamped at or after the oldest planned record if that lies before it.
 */
async function searchStarts(context: DuplicateContext, spans: Map<number, Span>): Promise<Map<number, bigint>> {
  const { destination, topic, windows } = context;
  // One ListOffsets request per distinct oldest timestamp (key-hash: one for all partitions).
  const byOldest = new Map<number, number[]>();
  for (const [d, { oldest }] of spans) {
    if (!windows.has(d)) continue;
    const group = byOldest.get(oldest);
    if (group) group.push(d);
    else byOldest.set(oldest, [d]);
  }
  const starts = new Map<number, bigint>();
  for (const [timestamp, partitions] of byOldest) {
    // A negative timestamp would ask ListOffsets for "latest" or "earliest": such records are searched for from the log start.
    const listed = await destination.listOffsets(
      topic.destination,
      partitions,
      timestamp < 0 ? { kind: 'earliest' } : { kind: 'timestamp', ms: BigInt(timestamp) },
      true,
    );
    for (const d of partitions) {
      const from = windows.get(d)!.from;
      const at = listed.find((l) => l.partition === d)?.offset ?? -1n;
      starts.set(d, at >= 0n && at < from ? at : from);
    }
  }
  return starts;
}

/**
 * Traces other producers' records on the searched destination partitions, from where the search
 * starts to the window's end; with `spans`, only those stamped within the planned span.
 */
async function traceDestination(context: DuplicateContext, tracer: Tracer, searched: Array<[number, bigint]>, spans: Map<number, Span> | null): Promise<void> {
  const { topic, windows, ours } = context;
  const cursor = new RecordCursor(Buffer.alloc(0));
  const ranges: ScanRange[] = searched.map(([d, start]) => ({ topic: topic.destination, partition: d, from: start, end: windows.get(d)!.to }));
  await scanRanges(
    context.destination,
    ranges,
    {
      batch(range, batch) {
        if (ours.has(batch.view.producerId)) return;
        const span = spans?.get(range.partition);
        forEachStoredRecord(batch, cursor, (at) => {
          if (span && (at.timestamp < span.oldest || at.timestamp > span.newest)) return;
          tracer.add(range.partition, DESTINATION_SIDE, batch, at);
        });
      },
    },
    { checkCrc: false, ...(context.signal ? { signal: context.signal } : {}) },
  );
}

/** Compares the spill bucket by bucket: per destination partition, other producers' copies of planned records and the first examples (by source position). */
export async function compareBuckets(
  spill: KeyedSpill,
  maxExamples: number,
  plannedPerBucket = 0,
): Promise<Map<number, { records: number; examples: DuplicateCandidate[] }>> {
  spill.finish();
  const result = new Map<number, { records: number; examples: DuplicateCandidate[] }>();
  const tally = new DuplicateTally(plannedPerBucket);
  for (let bucket = 0; bucket < spill.buckets; bucket++) {
    tally.clear();
    // Planned records first, then the destination's looked up: two reads of the bucket.
    await spill.forEachChunk(bucket, (entries, count) => {
      for (let e = 0; e < count * ENTRY_WORDS; e += ENTRY_WORDS) {
        if (entries[e + 1] !== DESTINATION) tally.plan(entries[e]!, entries[e + 2]!, entries[e + 3]!, entries[e + 1]!, entries[e + 4]!, entries[e + 5]!);
      }
    });
    await spill.forEachChunk(bucket, (entries, count) => {
      for (let e = 0; e < count * ENTRY_WORDS; e += ENTRY_WORDS) {
        if (entries[e + 1] === DESTINATION) tally.found(entries[e]!, entries[e + 2]!, entries[e + 3]!, entries[e + 4]!, entries[e + 5]!);
      }
    });
    tally.forEachFound((record) => {
      let partition = result.get(record.partition);
      if (!partition) result.set(record.partition, (partition = { records: 0, examples: [] }));
      partition.records += record.found;
      partition.examples.push({
        sourcePartition: record.sourcePartition,
        sourceOffset: record.sourceOffset,
        planned: record.planned,
        copies: record.planned + record.found,
        otherCopiesAt: record.otherCopiesAt,
      });
    });
    for (const partition of result.values()) {
      partition.examples.sort(
        (a, b) => a.sourcePartition - b.sourcePartition || (a.sourceOffset < b.sourceOffset ? -1 : a.sourceOffset > b.sourceOffset ? 1 : 0),
      );
      partition.examples.length = Math.min(partition.examples.length, maxExamples);
    }
  }
  return result;
}
