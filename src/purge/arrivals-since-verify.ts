import { KrerouteError } from '../common/errors.ts';
import { type EventSink, ignoreEvents } from '../common/events.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { type StoredBatch, forEachStoredRecord } from '../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../kafka/wire/batch/record-cursor.ts';
import { BATCH } from '../kafka/wire/batch/batch-header.ts';
import { type Arrivals, AppendTimeArrivals, MAX_TRACED_ARRIVALS } from './append-time-copies.ts';
import { pollUntil } from '../kafka/net/wait-notice.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import { openPlanCluster } from '../plan/plan-clusters.ts';
import type { Plan } from '../plan/plan.ts';
import { type ScanRange, scanRanges } from '../kafka/fetch/range-scanner.ts';
import type { Verdict } from '../verify/verification-file.ts';

type VerdictPartition = Verdict['partitions'][number];

interface Since extends ScanRange {
  verdict: VerdictPartition;
  /** The destination stamps the append time: a record's timestamp says nothing of where it came from. */
  appendTime: boolean;
  oldest: number;
  newest: number;
  /** Records stamped within the planned span (CreateTime). */
  suspects: number;
  firstSuspect: bigint | null;
  lastSuspect: bigint | null;
  /** Records stamped with the append time: compared by content with the planned records where purge can (see AppendTimeArrivals). */
  appendStamped: Arrivals & { records: number; first: bigint | null; last: bigint | null };
}

/** refuseArrivalsSinceVerify on a connection of its own to the plan's destination. */
export async function recheckDestinationSinceVerify(
  plan: Plan,
  verdict: Verdict,
  settings: ClientSettings,
  source: KafkaCluster,
  onEvent: EventSink = ignoreEvents,
): Promise<void> {
  const destination = await openPlanCluster(plan, 'destination', settings);
  try {
    await refuseArrivalsSinceVerify(destination, source, plan, verdict, onEvent);
  } finally {
    await destination.close();
  }
}

/**
 * A verdict is a statement about the destination up to where verify read it. Whatever reached a
 * destination partition after that (another plan over the same range, a copy run again after its
 * state was lost, another tool) is read immediately before DeleteRecords: records stamped within
 * the planned records' time span may be copies of them (copies keep their CreateTime), and purge
 * refuses until verify has looked at them. A live destination's other producers write records
 * stamped now, after the span: their batches are passed over by their header's max timestamp
 * where it lies before the span, else by their records' timestamps, no record decoded otherwise.
 * Where the destination stamps the append time, timestamps prove nothing: the records after verify
 * are compared by content with the planned records, read again from `source` (up to
 * MAX_TRACED_ARRIVALS of them; past that, every one of them refuses).
 */
export async function refuseArrivalsSinceVerify(
  destination: KafkaCluster,
  source: KafkaCluster,
  plan: Plan,
  verdict: Verdict,
  onEvent: EventSink = ignoreEvents,
): Promise<void> {
  const ranges: Since[] = [];
  for (const partition of verdict.partitions) {
    const where = `${partition.destinationTopic}[${partition.destinationPartition}]`;
    if (partition.readTo === undefined || partition.plannedTimestamps === undefined) {
      throw new KrerouteError(
        'NOT_VERIFIED',
        `purge refused: the verification of this plan does not say how far verify read ${where} (made by an older kreroute), so purge cannot tell what reached it since: run kreroute verify again`,
        {
          hint: 'nothing was deleted; a verify of this kreroute records it, then purge',
        },
      );
    }
    if (partition.plannedTimestamps === null) continue; // nothing planned there, nothing to find twice
    const topic = plan.topics.find((t) => t.destination === partition.destinationTopic);
    ranges.push({
      topic: partition.destinationTopic,
      partition: partition.destinationPartition,
      from: BigInt(partition.readTo),
      end: 0n,
      verdict: partition,
      appendTime: topic?.destinationTimestamps === 'log-append-time',
      oldest: Number(partition.plannedTimestamps.oldest),
      newest: Number(partition.plannedTimestamps.newest),
      suspects: 0,
      firstSuspect: null,
      lastSuspect: null,
      appendStamped: {
        topic: partition.destinationTopic,
        partition: partition.destinationPartition,
        copies: 0,
        firstCopy: null,
        lastCopy: null,
        records: 0,
        first: null,
        last: null,
      },
    });
  }
  await settleEnds(destination, ranges);
  const started = Date.now();
  const offsets = ranges.reduce((n, r) => n + (r.end > r.from ? r.end - r.from : 0n), 0n);
  const cursor = new RecordCursor(Buffer.alloc(0));
  const appendTime = new AppendTimeArrivals();
  await scanRanges(destination, ranges, { batch: (range, batch) => countSuspects(range, batch, cursor, appendTime) }, { checkCrc: false });
  const compared = appendTime.complete && ranges.some((r) => r.appendStamped.records > 0);
  if (compared) await appendTime.findPlannedAmong(source, plan);
  const refused = ranges.filter((r) => r.suspects > 0 || (compared ? r.appendStamped.copies > 0 : r.appendStamped.records > 0));
  if (refused.length > 0) throw arrived(refused[0]!, refused.length, compared);
  const stamped = ranges.reduce((n, r) => n + r.appendStamped.records, 0);
  const byContent = stamped > 0 ? `; ${stamped} stamped with the append time, none with the content of a planned record` : '';
  onEvent({
    type: 'info',
    message: `since verify, ${offsets} offset(s) reached the destination partitions; none holds a record stamped within the planned span${byContent} (read in ${Date.now() - started} ms)`,
  });
}

/**
 * Each range ends at the partition's high watermark as it is now, once no transaction open
 * there is still undecided below it: records of an open transaction after verify could be a
 * copy about to commit, so purge waits for it (bounded by --wait-timeout) rather than purge under it.
 */
async function settleEnds(destination: KafkaCluster, ranges: Since[]): Promise<void> {
  const byTopic = Map.groupBy(ranges, (r) => r.topic);
  for (const [topic, members] of byTopic) {
    const partitions = members.map((r) => r.partition);
    const high = new Map((await destination.listOffsets(topic, partitions, { kind: 'latest' }, false)).map((l) => [l.partition, l.offset]));
    for (const range of members) range.end = high.get(range.partition) ?? range.from;
    let held: Since[] = [];
    try {
      await pollUntil(
        async () => {
          const stable = new Map((await destination.listOffsets(topic, partitions, { kind: 'latest' }, true)).map((l) => [l.partition, l.offset]));
          held = members.filter((r) => (stable.get(r.partition) ?? 0n) < r.end && r.end > r.from);
          return held.length === 0 ? true : undefined;
        },
        () => `${held.map((r) => `${r.topic}[${r.partition}]`).join(', ')}: another producer's open transaction after verify to end`,
        { ...destination.waitBound, pollMs: 500 },
      );
    } catch (error) {
      if ((error as KrerouteError).code !== 'WAIT_TIMEOUT' || held.length === 0) throw error;
      const first = held[0]!;
      throw new KrerouteError(
        'NOT_VERIFIED',
        `purge refused: ${first.topic}[${first.partition}] holds another producer's open transaction after verify (offsets from ${first.from}${held.length > 1 ? `; ${held.length} partitions like this` : ''}), which may be a copy of the planned records about to commit: wait and purge again`,
        {
          hint: 'nothing was deleted; purge waits --wait-timeout for such a transaction to end',
        },
      );
    }
  }
}

function countSuspects(range: Since, batch: StoredBatch, cursor: RecordCursor, appendTime: AppendTimeArrivals): void {
  const inRange = batch.endDelta - batch.firstDelta;
  if (inRange <= 0) return;
  if (range.appendTime || batch.appendTime !== null) {
    const stamped = range.appendStamped;
    stamped.records += inRange;
    stamped.first ??= batch.view.baseOffset + BigInt(batch.firstDelta);
    stamped.last = batch.view.baseOffset + BigInt(batch.endDelta - 1);
    appendTime.add(stamped, batch);
    return;
  }
  const newest = Number(batch.view.bytes.readBigInt64BE(BATCH.maxTimestamp));
  if (newest < range.oldest) return;
  forEachStoredRecord(batch, cursor, (at) => {
    if (at.timestamp >= range.oldest && at.timestamp <= range.newest) suspect(range, batch.view.baseOffset + BigInt(at.offsetDelta), 1);
  });
}

function suspect(range: Since, offset: bigint, count: number): void {
  range.suspects += count;
  range.firstSuspect ??= offset;
  range.lastSuspect = offset;
}

function arrived(range: Since, partitions: number, compared: boolean): KrerouteError {
  const where = `${range.topic}[${range.partition}]`;
  const more = partitions > 1 ? `; ${partitions} partitions like this` : '';
  const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;
  const stamped = range.appendStamped;
  const what =
    range.suspects > 0
      ? `${records(range.suspects)} stamped within the planned span reached ${where} after verify (offsets ${range.firstSuspect}..${range.lastSuspect}${more})`
      : compared
        ? `${records(stamped.copies)} with the key, value and headers of planned records reached ${where} after verify (offsets ${stamped.firstCopy}..${stamped.lastCopy}${more}; the destination stamps the append time)`
        : `${records(stamped.records)} reached ${where} after verify (offsets ${stamped.first}..${stamped.last}${more}), stamped with the append time, too many (over ${MAX_TRACED_ARRIVALS}) to compare with the planned records`;
  return new KrerouteError('NOT_VERIFIED', `purge refused: ${what}: another copy of the same records? run kreroute verify again`, {
    hint: 'nothing was deleted; verify reads them and fails if planned records are now on the destination twice',
  });
}
