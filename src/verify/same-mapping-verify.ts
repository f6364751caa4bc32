import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { type StoredBatch, forEachStoredRecord } from '../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../kafka/wire/batch/record-cursor.ts';
import { type CopyCheckpoint, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import type { Plan, PlanPartition, PlanTopic } from '../plan/plan.ts';
import { compileRawFilter } from '../plan/filter/raw-record-filter.ts';
import type { RecordFilter } from '../plan/filter/record-filter.ts';
import type { ProgressMeter } from '../common/progress-meter.ts';
import { type ScanRange, scanRanges } from '../kafka/fetch/range-scanner.ts';
import { type Windows, destinationWindows } from './destination-windows.ts';
import { findDuplicates } from './duplicates/duplicate-check.ts';
import { withDuplicates } from './duplicates/duplicate-report.ts';
import { anchorAt } from './stored-anchor.ts';
import { type TimeSpan, plannedTimestamps, widenSpan, widenWithBatch } from './planned-span.ts';
import { digestFieldsOf } from './record-digest.ts';
import { type OwnTally, type SourceTally, anchorsOf, matching, ownRecords } from './record-readers.ts';
import { compareSequences } from './sequence-compare.ts';
import type { FetchedRecord } from '../kafka/wire/record.ts';
import { translateRecord } from '../schemas/record-translation.ts';
import { DigestFeeder, StreamDigest } from './stream-digest.ts';
import type { PartitionVerdict, RecordAnchor, VerifyReport } from './report.ts';

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
  /** The last own record lies in a batch digested as one item: its anchor is read afterwards. */
  lastItem: bigint | null;
  /** The copy forwarded every batch it wrote here as fetched (its checkpoint says so). */
  allForwarded: boolean;
  /** The copy built batches of its own here (its checkpoint says so): they may be compressed too, so no batch here is an item. */
  built: boolean;
  /** The planned records' time span (see widenWithBatch). */
  span: TimeSpan | null;
}

interface SideRange extends ScanRange {
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
  /** Told what the duplicate search reads (see findDuplicates). */
  onSearch?: (message: string) => void;
  signal?: AbortSignal;
  /** A read is retried, or a partition keeps answering without records (see EmptyAnswers). */
  onRetry?: (message: string) => void;
}

/**
 * Mapping "same": every source partition against its destination partition. A first pass reads
 * all source ranges and all destination windows at once, both clusters side by side, and digests
 * records from their stored bytes (see StreamDigest), batches that the copy forwards as they are
 * as whole items (compressed ones not decompressed). A partition whose digests differ is digested again
 * with every batch's records, and only if they still differ read a third time, record by record,
 * to say where and how (compareSequences): a passing verify pays nothing for the examples a
 * failing one gives.
 */
export async function verifySameMapping(context: SameMappingContext, otherRecords: VerifyReport['otherRecords']): Promise<PartitionVerdict[]> {
  const { plan, checkpoint, destination } = context;
  const pairs: Pair[] = [];
  const windowsOf = new Map<PlanTopic, Windows>();
  for (const topic of plan.topics) {
    const windows = await destinationWindows(
      destination,
      checkpoint,
      topic,
      topic.partitions.map((p) => p.destinationPartition!),
    );
    windowsOf.set(topic, windows);
    for (const planned of topic.partitions) {
      const d = planned.destinationPartition!;
      const fields = digestFieldsOf(topic);
      const rebuilt = checkpoint.destinations[partitionKey(topic.destination, d)]?.rebuilt;
      const allForwarded = rebuilt === false;
      pairs.push({
        topic,
        planned,
        destinationPartition: d,
        window: windows.get(d)!,
        source: new StreamDigest(fields),
        destination: new StreamDigest(fields),
        other: 0,
        foreign: 0,
        first: null,
        last: null,
        lastItem: null,
        allForwarded,
        built: rebuilt === true,
        span: null,
      });
    }
  }
  // Translated schema ids: the stored bytes differ by design, so the records are compared decoded,
  // the source's with the plan's ids (an untranslated copy must not pass on equal digests).
  const digested = pairs.filter((pair) => !pair.topic.schemaIdMap);
  await digestPairs(context, digested, 'forwarded-batches-whole', context.meter);
  const differing = digested.filter((pair) => !digestsMatch(pair));
  if (differing.length > 0) await digestPairs(context, differing, 'records', null);
  await anchorLastItems(
    context,
    pairs.filter((pair) => digestsMatch(pair) && pair.lastItem !== null),
  );
  const verdicts: PartitionVerdict[] = [];
  for (const pair of pairs) {
    if (pair.topic.schemaIdMap || !digestsMatch(pair)) {
      verdicts.push(await explainDifferences(context, pair));
      otherRecords.push({ topic: pair.topic.source, partition: pair.planned.partition, count: pair.other });
      continue;
    }
    otherRecords.push({ topic: pair.topic.source, partition: pair.planned.partition, count: pair.other });
    verdicts.push({
      ...identify(pair),
      sourceCount: pair.source.count,
      destinationCount: pair.destination.count,
      sourceDigest: pair.source.digest!,
      destinationDigest: pair.destination.digest!,
      foreignRecords: pair.foreign,
      anchors: pair.first && pair.last ? { first: pair.first, last: pair.last } : null,
      passed: true,
      firstDivergence: null,
      missing: [],
      extra: [],
      altered: [],
    });
  }
  return withDuplicatesFound(context, windowsOf, verdicts);
}

/** Each topic's verdicts with the planned records found more than once on its destination partitions. */
async function withDuplicatesFound(context: SameMappingContext, windowsOf: Map<PlanTopic, Windows>, verdicts: PartitionVerdict[]): Promise<PartitionVerdict[]> {
  const found = new Map<string, Awaited<ReturnType<typeof findDuplicates>>>();
  for (const [topic, windows] of windowsOf) {
    const foreign = new Map(verdicts.filter((v) => v.sourceTopic === topic.source).map((v) => [v.destinationPartition, v.foreignRecords]));
    found.set(topic.source, await findDuplicates({ ...context, topic, windows, foreign }));
  }
  return verdicts.map((v) => withDuplicates(v, found.get(v.sourceTopic)?.get(v.destinationPartition)));
}

const digestsMatch = (pair: Pair): boolean => pair.source.count === pair.destination.count && pair.source.digest === pair.destination.digest;

/**
 * Which batches may be digested as one item: those the copy forwards unchanged (whole, no gaps,
 * CreateTime, within the destination's limit, and with a filter only if every record matches:
 * the copy's own rules, see planChunk) and that reach the destination as they are: where the
 * checkpoint says the copy built no batch of its own there; compressed ones also where it says
 * nothing (a checkpoint without the flag). Batches the copy builds are compressed like the
 * source's, so in a partition where it built some, a compressed batch may be one of them. Or
 * none: record by record.
 */
type Items = 'forwarded-batches-whole' | 'records';

/** Reads both sides of the pairs at once and digests them (see verifySameMapping). */
async function digestPairs(context: SameMappingContext, pairs: Pair[], items: Items, meter: ProgressMeter | null): Promise<void> {
  const { plan, source, destination } = context;
  const sourceRanges: SideRange[] = [];
  const destinationRanges: SideRange[] = [];
  for (const pair of pairs) {
    const fields = digestFieldsOf(pair.topic);
    Object.assign(pair, {
      source: new StreamDigest(fields),
      destination: new StreamDigest(fields),
      other: 0,
      foreign: 0,
      first: null,
      last: null,
      lastItem: null,
      span: null,
    });
    sourceRanges.push({ topic: pair.topic.source, partition: pair.planned.partition, from: BigInt(pair.planned.start), end: BigInt(pair.planned.end), pair });
    destinationRanges.push({ topic: pair.topic.destination, partition: pair.destinationPartition, from: pair.window.from, end: pair.window.to, pair });
  }
  const filter = plan.filter === null ? null : compileRawFilter(plan.filter);
  const feeder = await DigestFeeder.create();
  const cursor = new RecordCursor(Buffer.alloc(0));
  const forwardedWhole = (batch: StoredBatch, pair: Pair): boolean =>
    items === 'forwarded-batches-whole' &&
    // A built batch (a filtered copy's kept records, compressed again) as an item would never
    // match the source's, and the partition would be digested twice.
    ((batch.compressed && !pair.built) || pair.allForwarded) &&
    batch.whole &&
    batch.appendTime === null &&
    batch.view.bytes.length <= pair.topic.destinationMaxMessageBytes;
  const allMatch = (batch: StoredBatch): boolean => {
    let all = true;
    forEachStoredRecord(batch, cursor, (at) => {
      all &&= filter!(batch.records, at.tailStart);
    });
    return all;
  };
  const options = { checkCrc: false, ...(context.signal ? { signal: context.signal } : {}), ...(context.onRetry ? { onRetry: context.onRetry } : {}) };
  await Promise.all([
    scanRanges(
      source,
      sourceRanges,
      {
        batch({ pair }, batch) {
          feeder.begin(pair.source);
          if (forwardedWhole(batch, pair) && (filter === null || allMatch(batch))) {
            feeder.addBatch(batch);
            pair.span = widenWithBatch(pair.span, batch);
            meter?.add(batch.count, batch.view.bytes.length, pair.topic.source, pair.planned.partition);
            return;
          }
          const added = feeder.addRecords(batch, filter);
          if (added.added > 0) pair.span = widenWithBatch(pair.span, batch);
          pair.other += added.skipped;
          meter?.add(added.added, added.bytes, pair.topic.source, pair.planned.partition);
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
          feeder.begin(pair.destination);
          if (pair.first === null) pair.first = firstAnchor(batch, cursor);
          if (forwardedWhole(batch, pair)) {
            feeder.addBatch(batch);
            pair.lastItem = batch.view.baseOffset + BigInt(batch.endDelta - 1);
            return;
          }
          const added = feeder.addRecords(batch, null);
          if (added.lastTailStart >= 0) [pair.last, pair.lastItem] = [anchorAt(batch, added.lastTailStart, added.lastTimestamp, added.lastOffsetDelta), null];
        },
      },
      options,
    ),
  ]);
  feeder.finish(pairs.flatMap((pair) => [pair.source, pair.destination]));
}

/** The first record of the batch in the range, as an anchor (a compressed batch is decompressed for it). */
function firstAnchor(batch: StoredBatch, cursor: RecordCursor): RecordAnchor | null {
  let anchor: RecordAnchor | null = null;
  forEachStoredRecord(batch, cursor, (at) => {
    anchor ??= anchorAt(batch, at.tailStart, at.timestamp, at.offsetDelta);
  });
  return anchor;
}

/**
 * The anchors of records digested inside batch items: each read again, in place from its stored
 * batch (one scan for all of them). Decoding the whole batch with the client library to find the
 * one record made a burst of tens of MB of short-lived objects per partition at the end of verify.
 */
async function anchorLastItems(context: SameMappingContext, pairs: Pair[]): Promise<void> {
  if (pairs.length === 0) return;
  const cursor = new RecordCursor(Buffer.alloc(0));
  const ranges = pairs.map((pair) => {
    pair.last = null;
    return { topic: pair.topic.destination, partition: pair.destinationPartition, from: pair.lastItem!, end: pair.lastItem! + 1n, pair };
  });
  await scanRanges(
    context.destination,
    ranges,
    {
      batch(range, batch) {
        range.pair.last ??= firstAnchor(batch, cursor);
        return range.pair.last ? 'stop' : undefined;
      },
    },
    { ...(context.signal ? { signal: context.signal } : {}), ...(context.onRetry ? { onRetry: context.onRetry } : {}) },
  );
}

function identify(
  pair: Pair,
): Pick<PartitionVerdict, 'sourceTopic' | 'sourcePartitions' | 'destinationTopic' | 'destinationPartition' | 'readTo' | 'plannedTimestamps'> {
  return {
    sourceTopic: pair.topic.source,
    sourcePartitions: [pair.planned.partition],
    destinationTopic: pair.topic.destination,
    destinationPartition: pair.destinationPartition,
    readTo: String(pair.window.to),
    plannedTimestamps: plannedTimestamps(withExactCount(pair.span, pair.planned)),
  };
}

/** The span from batch headers, widened to the oldest and newest planned record where plan --exact counted them. */
function withExactCount(span: TimeSpan | null, planned: PlanPartition): TimeSpan | null {
  const { minTimestamp, maxTimestamp } = planned.exact ?? {};
  return span && minTimestamp && maxTimestamp ? widenSpan(span, Number(minTimestamp), Number(maxTimestamp)) : span;
}

/**
 * The second, targeted pass over one partition whose digests differ: both sides read again and
 * compared record by record, decoded. Its verdict stands, with the first divergent position and
 * examples; a partition whose records are equal field by field although their stored encodings
 * differ passes here.
 */
async function explainDifferences(context: SameMappingContext, pair: Pair): Promise<PartitionVerdict> {
  const { topic, planned, destinationPartition: d, window } = pair;
  // A translated topic is read here only (see verifySameMapping): its progress counts here.
  const sourceTally: SourceTally = { other: 0, meter: topic.schemaIdMap ? context.meter : null };
  const own: OwnTally = { foreign: 0, first: null, last: null };
  const sourceRecords = matching(context.source, topic.source, planned, context.filter, sourceTally);
  const result = await compareSequences(
    { topic: topic.source, partition: planned.partition, records: topic.schemaIdMap ? translated(sourceRecords, topic.schemaIdMap) : sourceRecords },
    { topic: topic.destination, partition: d, records: ownRecords(context.destination, topic.destination, d, window, context.ours, own) },
    context.maxExamples,
    digestFieldsOf(topic),
  );
  if (topic.schemaIdMap) pair.other = sourceTally.other;
  return { ...identify(pair), foreignRecords: own.foreign, anchors: anchorsOf(own), ...result };
}

/** The source's records as a copy that translates schema ids writes them (--schemas translate). */
async function* translated(records: AsyncGenerator<FetchedRecord[]>, idMap: Readonly<Record<string, number>>): AsyncGenerator<FetchedRecord[]> {
  for await (const chunk of records) yield chunk.map((record) => translateRecord(record, idMap));
}
