import { KrerouteError, isKrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import type { FetchedRecord } from '../kafka/wire/record.ts';
import { recordDigest } from '../kafka/wire/record-digest.ts';
import { readRange } from '../kafka/fetch/range-reader.ts';
import { scanRanges } from '../kafka/fetch/range-scanner.ts';
import { type StoredBatch, forEachStoredRecord } from '../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../kafka/wire/batch/record-cursor.ts';
import { storedFields } from './filter/raw-record-filter.ts';
import type { RecordAnchor, SourceAnchors } from './plan.ts';

const READ = { maxBytes: 1024 * 1024, maxWaitMs: 200, readCommitted: true } as const;
/** How far back from a range's end the search for its last record starts; each miss looks 8× further. */
const FIRST_LOOK_BACK = 16n;

export function anchorOf(record: FetchedRecord): RecordAnchor {
  return { offset: String(record.offset), digest: recordDigest(record).toString('hex') };
}

/** One range whose anchors are wanted. */
export interface AnchorRange {
  topic: string;
  partition: number;
  start: bigint;
  end: bigint;
}

/**
 * The first and last committed data record of each range (null: none), as readSourceAnchors finds
 * them, but read in place from the stored batches, all ranges in one scan per step: decoding a
 * whole batch (thousands of small records) with the client library to find one record made a
 * burst of 50–150 MB of short-lived objects at the end of plan.
 */
export async function readAllSourceAnchors(source: KafkaCluster, ranges: AnchorRange[]): Promise<Array<SourceAnchors | null>> {
  const cursor = new RecordCursor(Buffer.alloc(0));
  const firsts: Array<RecordAnchor | null> = ranges.map(() => null);
  const lasts: Array<RecordAnchor | null> = ranges.map(() => null);
  await scanRanges(
    source,
    ranges.map((range, index) => ({ topic: range.topic, partition: range.partition, from: range.start, end: range.end, index })),
    {
      batch(range, batch) {
        firsts[range.index] ??= storedAnchor(batch, cursor, 'first');
        return firsts[range.index] ? 'stop' : undefined;
      },
    },
  );
  // The last: looking back from each range's end, further each time nothing committed is found.
  let looking = ranges.flatMap((range, index) => (firsts[index] ? [{ range, index, to: range.end }] : []));
  for (let step = FIRST_LOOK_BACK; looking.length > 0; step *= 8n) {
    const scanned = looking.map(({ range, index, to }) => {
      const first = BigInt(firsts[index]!.offset);
      return { topic: range.topic, partition: range.partition, from: to - step > first ? to - step : first, end: to, index };
    });
    await scanRanges(source, scanned, {
      batch(range, batch) {
        lasts[range.index] = storedAnchor(batch, cursor, 'last') ?? lasts[range.index]!;
      },
    });
    looking = scanned.flatMap((s) => (lasts[s.index] ? [] : [{ range: ranges[s.index]!, index: s.index, to: s.from }]));
  }
  return ranges.map((_, index) => (firsts[index] && lasts[index] ? { first: firsts[index], last: lasts[index] } : null));
}

/** The first or last record of a stored batch inside its range, as an anchor (null: none there). */
function storedAnchor(batch: StoredBatch, cursor: RecordCursor, which: 'first' | 'last'): RecordAnchor | null {
  let found: { tailStart: number; timestamp: number; offsetDelta: number } | null = null;
  forEachStoredRecord(batch, cursor, (at) => {
    if (which === 'last' || found === null) found = { tailStart: at.tailStart, timestamp: at.timestamp, offsetDelta: at.offsetDelta };
  });
  if (found === null) return null;
  const { tailStart, timestamp, offsetDelta } = found;
  const fields = storedFields(batch.records, tailStart);
  return { offset: String(batch.view.baseOffset + BigInt(offsetDelta)), digest: recordDigest({ ...fields, timestamp: BigInt(timestamp) }).toString('hex') };
}

/**
 * The first and last committed data record of [start, end) on the source (null: none), read
 * cheaply: the first from the range's start on, the last by looking back from its end over
 * control records and aborted data, further each time nothing committed is found.
 */
export async function readSourceAnchors(source: KafkaCluster, topic: string, partition: number, start: bigint, end: bigint): Promise<SourceAnchors | null> {
  const first = await lastOrFirst(source, topic, partition, start, end, 'first');
  if (!first) return null;
  let to = end;
  for (let step = FIRST_LOOK_BACK; ; step *= 8n) {
    const from = to - step > BigInt(first.offset) ? to - step : BigInt(first.offset);
    const last = await lastOrFirst(source, topic, partition, from, to, 'last');
    if (last) return { first, last };
    to = from;
  }
}

/**
 * What the source holds at an anchor's offset now: the anchored record unchanged ("held"); no
 * record, with the log going on past it ("removed": compaction can do that); or another record,
 * or an offset the log no longer reaches ("different").
 */
export type AnchorState = 'held' | 'removed' | 'different';

export async function anchorState(source: KafkaCluster, topic: string, partition: number, anchor: RecordAnchor): Promise<AnchorState> {
  const offset = BigInt(anchor.offset);
  const [end] = await source.listOffsets(topic, [partition], { kind: 'latest' });
  if (end === undefined || end.offset <= offset) return 'different';
  try {
    for await (const chunk of readRange(source, topic, partition, offset, offset + 1n, READ)) {
      const record = chunk.records.find((r) => r.offset === offset);
      if (record) return recordDigest(record).toString('hex') === anchor.digest ? 'held' : 'different';
    }
    return 'removed';
  } catch (error) {
    if (isKrerouteError(error) && error.code === 'SOURCE_TRUNCATED') return 'different';
    throw error;
  }
}

/**
 * The first or the last committed data record in [from, to), reading forward from `from` through
 * readRange, which takes an answer without records as the end only where the log proves it (a
 * tiered source answers so while a remote read is slow) and otherwise waits, bounded.
 */
async function lastOrFirst(
  source: KafkaCluster,
  topic: string,
  partition: number,
  from: bigint,
  to: bigint,
  which: 'first' | 'last',
): Promise<RecordAnchor | null> {
  let found: FetchedRecord | undefined;
  for await (const chunk of readRange(source, topic, partition, from, to, READ)) {
    for (const record of chunk.records) {
      if (record.offset < from) continue;
      if (which === 'first') return anchorOf(record);
      found = record;
    }
  }
  return found ? anchorOf(found) : null;
}
