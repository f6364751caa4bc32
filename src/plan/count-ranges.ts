import type { EventSink } from '../common/events.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import type { StoredBatch } from '../kafka/wire/batch/committed-batches.ts';
import { RecordCursor } from '../kafka/wire/batch/record-cursor.ts';
import { largestEncodedSize, storedContentBytes } from '../kafka/wire/batch/stored-record-size.ts';
import { ProgressMeter } from '../common/progress-meter.ts';
import { type ScanRange, scanRanges } from '../kafka/fetch/range-scanner.ts';
import type { RecordFilterSpec } from './filter/filter-spec.ts';
import type { ExactCount } from './plan.ts';
import { type RawRecordFilter, compileRawFilter } from './filter/raw-record-filter.ts';

/** What a range holds; `seen`: records looked at, matching or not. */
export interface RangeCount extends ExactCount {
  seen: number;
}

export interface CountedRange extends ScanRange {
  count: RangeCount;
}

export interface CountOptions {
  /** Count only the first stretch of each range (a sample: plan's estimate without --exact). */
  sample?: boolean;
  signal?: AbortSignal;
}

/** What a sample reads of each range (more when its first batch is larger). */
const SAMPLE_BYTES = 256 * 1024;

interface Tally {
  range: CountedRange;
  min: number;
  max: number;
}

/**
 * plan --exact: counts what each range really holds (committed data records, the filter's matches
 * and misses, their bytes, the largest, the oldest and newest timestamps), all ranges read at once
 * and every record read in place from its stored bytes. With `sample`, only the start of each.
 * CRCs are left to the copy, which checks every batch it takes apart (the destination checks those
 * it forwards): a count only sizes the job, and verify compares what was really copied.
 */
export async function countRanges(
  cluster: KafkaCluster,
  ranges: ScanRange[],
  filterSpec: RecordFilterSpec | null,
  onEvent: EventSink,
  options: CountOptions = {},
): Promise<CountedRange[]> {
  const filter = filterSpec === null ? null : compileRawFilter(filterSpec);
  const tallies = new Map<ScanRange, Tally>();
  const counted = ranges.map((range) => {
    const entry: CountedRange = {
      ...range,
      count: { records: 0, bytes: 0, largestRecordBytes: 0, otherRecords: 0, minTimestamp: null, maxTimestamp: null, keylessRecords: 0, seen: 0 },
    };
    tallies.set(entry, { range: entry, min: Infinity, max: -Infinity });
    return entry;
  });
  const meter = new ProgressMeter(
    'plan',
    ranges.reduce((sum, r) => sum + Number(r.end - r.from), 0),
  );
  const ticker = options.sample ? undefined : setInterval(() => onEvent(meter.event()), 1000);
  const cursor = new RecordCursor(Buffer.alloc(0));
  const sizes = new RecordCursor(Buffer.alloc(0));
  try {
    await scanRanges(
      cluster,
      counted,
      {
        batch(range, batch) {
          const { seen, bytes } = countBatch(batch, tallies.get(range)!, filter, cursor, sizes);
          range.count.seen += seen;
          meter.add(seen, bytes);
        },
      },
      {
        checkCrc: false,
        onRetry: (message) => onEvent({ type: 'retry', message }),
        ...(options.sample ? { firstStretchOnly: true, partitionBytes: SAMPLE_BYTES } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
  } finally {
    clearInterval(ticker);
  }
  if (!options.sample) onEvent(meter.event());
  for (const tally of tallies.values()) {
    if (tally.range.count.records === 0) continue;
    tally.range.count.minTimestamp = String(tally.min);
    tally.range.count.maxTimestamp = String(tally.max);
  }
  return counted;
}

/**
 * Counts one batch's records in the range into its range's tally, walking the records here rather
 * than through a callback per record (millions of small records pass through). Returns how many
 * it looked at and the bytes of those it counted.
 */
function countBatch(
  batch: StoredBatch,
  tally: Tally,
  filter: RawRecordFilter | null,
  cursor: RecordCursor,
  sizes: RecordCursor,
): { seen: number; bytes: number } {
  const count = tally.range.count;
  const records = batch.records;
  cursor.buffer = records;
  cursor.position = 0;
  sizes.buffer = records;
  let seen = 0;
  let seenBytes = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = cursor.enterRecord();
    const delta = cursor.offsetDelta;
    const tailStart = cursor.position;
    cursor.position = end;
    if (delta < batch.firstDelta || delta >= batch.endDelta) continue;
    seen++;
    if (filter !== null && !filter(records, tailStart)) {
      count.otherRecords++;
      continue;
    }
    sizes.position = tailStart;
    if (sizes.varInt() < 0) count.keylessRecords = (count.keylessRecords ?? 0) + 1;
    const bytes = storedContentBytes(sizes, tailStart);
    seenBytes += bytes;
    count.records++;
    count.bytes += bytes;
    const largest = largestEncodedSize(end - tailStart);
    if (largest > count.largestRecordBytes) count.largestRecordBytes = largest;
    const timestamp = batch.appendTime ?? batch.baseTimestamp + cursor.timestampDelta;
    if (timestamp < tally.min) tally.min = timestamp;
    if (timestamp > tally.max) tally.max = timestamp;
  }
  return { seen, bytes: seenBytes };
}
