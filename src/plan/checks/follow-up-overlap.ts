import { createHash } from 'node:crypto';
import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { type ScanRange, scanRanges } from '../../kafka/fetch/range-scanner.ts';
import { forEachStoredRecord } from '../../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../../kafka/wire/batch/record-cursor.ts';
import type { RecordFilterSpec } from '../filter/filter-spec.ts';
import { compileRawFilter } from '../filter/raw-record-filter.ts';
import type { ChainStart, PartitionMapping, PlanTopic } from '../plan.ts';
import type { OverlapExcuse } from './destination-checks.ts';

/**
 * The overlap check of a follow-up plan (`plan --after`): the copies of the plans it follows are its
 * expected neighbours on the destination, not an overlap. When the destination's newest record lies
 * in what was written since the chain's first plan was made, that stretch is read, and each of its
 * records newer than the oldest one to copy must be a copy of a record of the chain's source range
 * so far (same key, value and headers, counted as a multiset); any other is a real overlap. The
 * destination before the chain began was checked when the first plan was made; a record there
 * newer than the oldest to copy is reported as before.
 */
export function predecessorExcuse(
  source: KafkaCluster,
  destination: KafkaCluster,
  predecessor: PlanTopic,
  chain: ChainStart,
  filter: RecordFilterSpec | null,
  mapping: PartitionMapping,
): OverlapExcuse {
  return async (destinationPartition, newest, oldestToCopy) => {
    const start = chain.destinationStarts[destinationPartition];
    if (start === undefined || newest.offset < BigInt(start)) return false;
    const [listed] = await destination.listOffsets(predecessor.destination, [destinationPartition], { kind: 'latest' }, true);
    const written = await digestsNewerThan(
      destination,
      [{ topic: predecessor.destination, partition: destinationPartition, from: BigInt(start), end: listed?.offset ?? BigInt(start) }],
      oldestToCopy,
      null,
    );
    if (written.size === 0) return true;
    const feeding = predecessor.partitions.filter((p) => mapping === 'key-hash' || p.destinationPartition === destinationPartition);
    const copied = await digestsNewerThan(
      source,
      feeding.map((p) => ({ topic: predecessor.source, partition: p.partition, from: BigInt(chain.starts[p.partition] ?? '0'), end: BigInt(p.end) })),
      oldestToCopy,
      filter,
    );
    for (const [digest, count] of written) if ((copied.get(digest) ?? 0) < count) return false;
    return true;
  };
}

/** How often each record content (key, value, headers) occurs among the records of the ranges stamped at or after `since`. */
async function digestsNewerThan(cluster: KafkaCluster, ranges: ScanRange[], since: bigint, filterSpec: RecordFilterSpec | null): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const filter = filterSpec === null ? null : compileRawFilter(filterSpec);
  const cursor = new RecordCursor(Buffer.alloc(0));
  const time = Number(since);
  await scanRanges(
    cluster,
    ranges.filter((r) => r.end > r.from),
    {
      batch(_range, batch) {
        forEachStoredRecord(batch, cursor, (at) => {
          if (at.timestamp < time || (filter !== null && !filter(batch.records, at.tailStart))) return;
          const digest = createHash('sha256').update(batch.records.subarray(at.tailStart, at.end)).digest('hex');
          counts.set(digest, (counts.get(digest) ?? 0) + 1);
        });
      },
    },
    { checkCrc: false },
  );
  return counts;
}
