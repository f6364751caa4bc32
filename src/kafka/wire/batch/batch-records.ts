import type { DecodedBatch } from './record-batch-decoder.ts';
import type { FetchedRecord } from '../record.ts';

const CONTROL_BIT = 1 << 5;
const TRANSACTIONAL_BIT = 1 << 4;
const LOG_APPEND_TIME_BIT = 1 << 3;
const ABORT_MARKER_TYPE = 0;

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

export interface ExtractedRecords {
  records: FetchedRecord[];
  /** The offset after the last whole batch seen (control and aborted batches included). */
  nextOffset: bigint;
}

export function batchLastOffset(batch: DecodedBatch): bigint {
  return batch.firstOffset + BigInt(batch.lastOffsetDelta);
}

export function isControlBatch(batch: DecodedBatch): boolean {
  return (batch.attributes & CONTROL_BIT) !== 0;
}

function isAbortMarker(batch: DecodedBatch): boolean {
  const key = batch.records[0]?.key;
  return isControlBatch(batch) && key != null && key.length >= 4 && key.readInt16BE(2) === ABORT_MARKER_TYPE;
}

/**
 * The committed data records of fetched batches, from `fromOffset` on, as Kafka's Java consumer
 * reads them under read_committed: a transactional batch is dropped when its producer has an
 * aborted transaction that began at or before the batch's last offset and whose abort marker has
 * not been passed yet; control batches are never data.
 */
export function extractRecords(batches: DecodedBatch[], aborted: AbortedTransaction[] | null, fromOffset: bigint): ExtractedRecords {
  const pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const abortedProducers = new Set<bigint>();
  const records: FetchedRecord[] = [];
  let nextOffset = fromOffset;
  for (const batch of batches) {
    const lastOffset = batchLastOffset(batch);
    if (lastOffset + 1n > nextOffset) nextOffset = lastOffset + 1n;
    while (pending.length > 0 && pending[0]!.firstOffset <= lastOffset) abortedProducers.add(pending.shift()!.producerId);
    const transactional = (batch.attributes & TRANSACTIONAL_BIT) !== 0;
    if (isControlBatch(batch)) {
      if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
      continue;
    }
    if (transactional && abortedProducers.has(batch.producerId)) continue;
    const logAppendTime = (batch.attributes & LOG_APPEND_TIME_BIT) !== 0;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < fromOffset) continue;
      records.push({
        offset,
        timestamp: logAppendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta,
        key: record.key,
        value: record.value,
        headers: record.headers.map(([k, v]) => [k ?? Buffer.alloc(0), v] as const),
        producerId: batch.producerId,
        ...(record.raw ? { raw: record.raw } : {}),
      });
    }
  }
  return { records, nextOffset };
}
