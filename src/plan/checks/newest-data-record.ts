import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { scanRanges } from '../../kafka/fetch/range-scanner.ts';
import { BATCH } from '../../kafka/wire/batch/batch-header.ts';

/** At most this many offsets are read past the markers, and this many bytes of data batches. */
const MAX_OFFSETS = 500_000n;
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * What a destination partition's newest timestamp (ListOffsets max-timestamp) stands for:
 * - `data`: a committed data record at or after `since` (the one ListOffsets named, or the first found);
 * - `markers`: ListOffsets named a transaction marker (or an aborted record), and no committed data
 *   record from `since` on exists: `read` offsets from `from` were read to show it;
 * - `unread`: as `markers`, but the read stopped at its bound (`read` offsets from `from`), so a
 *   newer data record may lie further on.
 */
export type NewestRecord =
  | { kind: 'data'; offset: bigint; timestamp: bigint }
  | { kind: 'markers'; from: bigint; read: bigint }
  | { kind: 'unread'; from: bigint; read: bigint };

/**
 * A transaction's commit marker carries the commit time, and ListOffsets' max-timestamp counts
 * markers too: after any exactly-once copy it names a marker newer than every record that copy
 * wrote. When the offset it names is no committed data record, the partition is read from the
 * first offset stamped at or after `since` (ListOffsets by timestamp: every offset before it is
 * older) to the last stable offset, data batches only, until one stamped at or after `since`
 * (bounded: MAX_OFFSETS, MAX_BYTES).
 */
export async function newestRecord(
  cluster: KafkaCluster,
  topic: string,
  partition: number,
  newest: { offset: bigint; timestamp: bigint },
  since: bigint,
): Promise<NewestRecord> {
  const [stable] = await cluster.listOffsets(topic, [partition], { kind: 'latest' }, true);
  const end = stable?.offset ?? 0n;
  // Past the last stable offset lies an open transaction's data: taken as data, as before.
  if (newest.offset >= end || (await firstData(cluster, topic, partition, newest.offset, newest.offset + 1n, null)).data !== null) {
    return { kind: 'data', ...newest };
  }
  const [first] = await cluster.listOffsets(topic, [partition], { kind: 'timestamp', ms: since }, true);
  const from = first && first.offset >= 0n ? first.offset : end;
  const to = end - from > MAX_OFFSETS ? from + MAX_OFFSETS : end;
  const found = await firstData(cluster, topic, partition, from, to, since);
  if (found.data) return { kind: 'data', ...found.data };
  return found.readTo < end ? { kind: 'unread', from, read: found.readTo - from } : { kind: 'markers', from, read: end - from };
}

interface Scanned {
  data: { offset: bigint; timestamp: bigint } | null;
  /** Where the read stopped: `to` unless it found data or read MAX_BYTES first. */
  readTo: bigint;
}

/** The first committed data batch in [from, to) with a record stamped at or after `since` (null: any), within MAX_BYTES. */
async function firstData(cluster: KafkaCluster, topic: string, partition: number, from: bigint, to: bigint, since: bigint | null): Promise<Scanned> {
  const scanned: Scanned = { data: null, readTo: to };
  let bytes = 0;
  await scanRanges(
    cluster,
    [{ topic, partition, from, end: to }],
    {
      batch(_range, batch) {
        const timestamp = batch.view.bytes.readBigInt64BE(BATCH.maxTimestamp);
        if (since === null || timestamp >= since) {
          scanned.data = { offset: batch.view.baseOffset, timestamp };
          return 'stop';
        }
        bytes += batch.view.bytes.length;
        if (bytes <= MAX_BYTES) return;
        scanned.readTo = batch.view.lastOffset + 1n;
        return 'stop';
      },
    },
    { checkCrc: false },
  );
  return scanned;
}
