import { KrerouteError } from '../../../common/errors.ts';
import { AbortedTransactions } from './aborted-transactions.ts';
import { checkBatchCrc } from './batch-crc.ts';
import type { AbortedTransaction } from './batch-records.ts';
import { ATTRIBUTE, BATCH, type BatchView, splitBatches } from './batch-header.ts';
import { decompressionScratch, recordsSection } from './batch-records-section.ts';
import { RecordCursor } from './record-cursor.ts';

/** A committed data batch of a fetched partition, its records still as stored. */
export class StoredBatch {
  readonly view: BatchView;
  readonly count: number;
  /** Records whose offset delta lies in [firstDelta, endDelta) are inside the range. */
  readonly firstDelta: number;
  readonly endDelta: number;
  readonly baseTimestamp: number;
  /** LogAppendTime: every record carries this timestamp. */
  readonly appendTime: number | null;
  #records: Buffer | null = null;

  constructor(view: BatchView, from: bigint, end: bigint) {
    this.view = view;
    this.count = view.recordCount;
    this.firstDelta = view.baseOffset >= from ? 0 : Number(from - view.baseOffset);
    this.endDelta = view.lastOffset < end ? view.lastOffsetDelta + 1 : Number(end - view.baseOffset);
    this.baseTimestamp = Number(view.bytes.readBigInt64BE(BATCH.baseTimestamp));
    this.appendTime = (view.attributes & ATTRIBUTE.logAppendTime) !== 0 ? Number(view.bytes.readBigInt64BE(BATCH.maxTimestamp)) : null;
  }

  /** Compressed with some codec (the records section is then decompressed on first use). */
  get compressed(): boolean {
    return (this.view.attributes & ATTRIBUTE.compression) !== 0;
  }

  /** Every record of the batch lies in the range, numbered without gaps (nothing compacted away). */
  get whole(): boolean {
    return this.firstDelta === 0 && this.endDelta === this.count && this.count === this.view.lastOffsetDelta + 1;
  }

  /** The records section, decompressed if need be: valid only while the batch is visited. */
  get records(): Buffer {
    return (this.#records ??= recordsSection(this.view, decompressionScratch));
  }
}

const CONTROL_KEY_ABORT = 0;

/** Whether a control batch is an abort marker: its one record's key is (version int16, type int16), type 0. */
export function isAbortMarker(batch: BatchView): boolean {
  const cursor = new RecordCursor(batch.bytes, BATCH.records);
  cursor.enterRecord();
  const key = cursor.bytes();
  return key !== null && key.length >= 4 && key.readInt16BE(2) === CONTROL_KEY_ABORT;
}

/**
 * Visits the committed data batches of one fetched partition that hold offsets in [from, end),
 * in log order, without decoding records: the same batches Kafka's read_committed consumer would
 * return records from. Each batch's CRC is checked unless `checkCrc` is false. Returns the offset after the last whole batch
 * that came (or `end`), where the next fetch starts; `from` when no whole batch came.
 */
export function forEachCommittedBatch(
  fetched: Buffer,
  aborted: AbortedTransaction[] | null,
  from: bigint,
  end: bigint,
  visit: (batch: StoredBatch) => void,
  checkCrc = true,
): bigint {
  const transactions = new AbortedTransactions(aborted);
  let next = from;
  for (const view of splitBatches(fetched)) {
    if (view.baseOffset >= end) return end;
    if (view.lastOffset < from) continue;
    next = view.lastOffset + 1n < end ? view.lastOffset + 1n : end;
    if (view.magic < 2) {
      throw new KrerouteError(
        'UNSUPPORTED',
        `a batch at offset ${view.baseOffset} uses the legacy message format v${view.magic}, which kreroute does not read`,
        {
          hint: 'plan a range that starts after it',
        },
      );
    }
    transactions.reach(view.lastOffset);
    const transactional = (view.attributes & ATTRIBUTE.transactional) !== 0;
    if ((view.attributes & ATTRIBUTE.control) !== 0) {
      if (transactional && transactions.isAborted(view.producerId) && isAbortMarker(view)) transactions.close(view.producerId);
      continue;
    }
    if (transactional && transactions.isAborted(view.producerId)) continue;
    if (checkCrc) checkBatchCrc(view);
    visit(new StoredBatch(view, from, end));
  }
  return next;
}

/** Where a visited record's fields lie in its batch's records section. */
export interface StoredRecordPosition {
  /** Start of the key's length varint: key, value, headers follow as stored. */
  tailStart: number;
  /** End of the record. */
  end: number;
  timestamp: number;
  offsetDelta: number;
}

/**
 * Calls `visit` for each record of the batch inside the range. The position object and cursor are
 * reused from record to record: millions of records pass through here, without an object each.
 */
export function forEachStoredRecord(batch: StoredBatch, cursor: RecordCursor, visit: (at: StoredRecordPosition) => void): void {
  const at: StoredRecordPosition = { tailStart: 0, end: 0, timestamp: 0, offsetDelta: 0 };
  cursor.buffer = batch.records;
  cursor.position = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = cursor.enterRecord();
    const delta = cursor.offsetDelta;
    if (delta >= batch.firstDelta && delta < batch.endDelta) {
      at.tailStart = cursor.position;
      at.end = end;
      at.timestamp = batch.appendTime ?? batch.baseTimestamp + cursor.timestampDelta;
      at.offsetDelta = delta;
      visit(at);
    }
    cursor.position = end;
  }
}
