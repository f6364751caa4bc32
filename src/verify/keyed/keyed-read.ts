import type { ProgressMeter } from '../../common/progress-meter.ts';
import { type KeyHash, hashKey } from '../keyed-key-hash.ts';
import { MultisetSums } from './keyed-multiset.ts';
import { StoredRecordDigest } from './keyed-record-digest.ts';
import { type KeyedScanContext, type KeyedTallies, scanKeyed } from './keyed-scan.ts';
import { DESTINATION_SIDE, type KeyedSpill } from '../keyed-spill.ts';
import { digestFieldsOf } from '../record-digest.ts';
import { anchorAt } from '../stored-anchor.ts';
import type { DestinationAnchors, RecordAnchor } from '../report.ts';

/** What one read of both sides of a key-hash plan's topic found, per destination partition. */
export interface KeyedSides {
  source: MultisetSums;
  destination: MultisetSums;
  anchors: Array<DestinationAnchors | null>;
  tallies: KeyedTallies;
}

/**
 * Reads both sides once (see scanKeyed): each record is digested from its stored bytes, added to
 * its side's count and sum, and its trace (key hash, source partition, digest) goes to the spill
 * for the per-key comparison. Memory: the scan's fetch buffers and the spill's write buffers.
 */
export async function readKeyedSides(context: KeyedScanContext, spill: KeyedSpill, meter: ProgressMeter): Promise<KeyedSides> {
  const partitions = context.topic.destinationPartitions;
  const source = new MultisetSums(partitions);
  const destination = new MultisetSums(partitions);
  const first = new Array<RecordAnchor | null>(partitions).fill(null);
  const last = new Array<RecordAnchor | null>(partitions).fill(null);
  const digests = new StoredRecordDigest(digestFieldsOf(context.topic));
  const key: KeyHash = { lo: 0, hi: 0 };
  const tallies = await scanKeyed(context, {
    record(record) {
      const { batch, at, partition, sourcePartition } = record;
      const digest = digests.of(batch.records, at.tailStart, at.end, at.timestamp);
      spill.add(partition, sourcePartition, hashKey(record.key, key), digest);
      if (sourcePartition !== DESTINATION_SIDE) {
        source.add(partition, digest);
        meter.add(1, at.end - at.tailStart, context.topic.source, sourcePartition);
        return;
      }
      destination.add(partition, digest);
      first[partition] ??= anchorAt(record.batch, record.at.tailStart, record.at.timestamp, record.at.offsetDelta);
    },
    ownBatchDone(record) {
      last[record.partition] = anchorAt(record.batch, record.at.tailStart, record.at.timestamp, record.at.offsetDelta);
    },
  });
  const anchors = first.map((f, d) => (f && last[d] ? { first: f, last: last[d] } : null));
  return { source, destination, anchors, tallies };
}
