import { KrerouteError, isKrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import type { FetchedRecord } from '../kafka/wire/record.ts';
import { recordDigest } from '../kafka/wire/record-digest.ts';
import { readRange } from '../kafka/fetch/range-reader.ts';
import type { RecordAnchor, SourceAnchors } from './plan.ts';

const READ = { maxBytes: 1024 * 1024, maxWaitMs: 200, readCommitted: true } as const;
/** How far back from a range's end the search for its last record starts; each miss looks 8× further. */
const FIRST_LOOK_BACK = 16n;

export function anchorOf(record: FetchedRecord): RecordAnchor {
  return { offset: String(record.offset), digest: recordDigest(record).toString('hex') };
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
