import { KrerouteError, isKrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/cluster.ts';
import { fetchPartition } from '../kafka/fetch.ts';
import type { FetchedRecord } from '../kafka/record.ts';
import { recordDigest } from '../kafka/record-digest.ts';
import type { RecordAnchor, SourceAnchors } from './plan.ts';

const READ = { maxBytes: 1024 * 1024, maxWaitMs: 200, readCommitted: true } as const;
/** How far back from a range's end the search for its last record starts; each miss looks 8× further. */
const FIRST_LOOK_BACK = 16n;
/** Empty answers in a row (no offset gained) before a read gives up: the range ends at or below the last stable offset, so records do come. */
const MAX_EMPTY_ANSWERS = 5;

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
  try {
    const fetched = await fetchPartition(source, topic, partition, offset, READ);
    const record = fetched.records.find((r) => r.offset === offset);
    if (record) return recordDigest(record).toString('hex') === anchor.digest ? 'held' : 'different';
    return fetched.nextOffset > offset ? 'removed' : 'different';
  } catch (error) {
    if (isKrerouteError(error) && error.code === 'SOURCE_TRUNCATED') return 'different';
    throw error;
  }
}

/** The first or the last committed data record in [from, to), reading forward from `from`. */
async function lastOrFirst(source: KafkaCluster, topic: string, partition: number, from: bigint, to: bigint, which: 'first' | 'last'): Promise<RecordAnchor | null> {
  let found: FetchedRecord | undefined;
  let empty = 0;
  for (let position = from; position < to; ) {
    const fetched = await fetchPartition(source, topic, partition, position, READ);
    for (const record of fetched.records) {
      if (record.offset < from || record.offset >= to) continue;
      if (which === 'first') return anchorOf(record);
      found = record;
    }
    if (fetched.nextOffset > position) {
      position = fetched.nextOffset;
      empty = 0;
    } else if (++empty >= MAX_EMPTY_ANSWERS) {
      throw new KrerouteError('KAFKA', `${topic}[${partition}] on ${source.label} answered ${MAX_EMPTY_ANSWERS} fetches at offset ${position} with nothing, below the planned end ${to}`, {
        hint: 'run the same command again; if it persists, check the broker',
      });
    }
  }
  return found ? anchorOf(found) : null;
}
