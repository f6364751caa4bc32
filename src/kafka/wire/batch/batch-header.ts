/**
 * Offsets of the v2 record-batch header fields (see Kafka's DefaultRecordBatch). The CRC32C covers
 * everything from `attributes` to the end, so offsets and the leader epoch can change without it.
 */
export const BATCH = {
  baseOffset: 0,
  length: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const;

/** Bytes before `length` counts: baseOffset and the length field itself. */
export const LOG_OVERHEAD = 12;

export const ATTRIBUTE = {
  compression: 0b111,
  logAppendTime: 1 << 3,
  transactional: 1 << 4,
  control: 1 << 5,
} as const;

export interface BatchView {
  /** The batch's bytes (a view into the fetched buffer). */
  bytes: Buffer;
  baseOffset: bigint;
  lastOffset: bigint;
  magic: number;
  attributes: number;
  producerId: bigint;
  recordCount: number;
  lastOffsetDelta: number;
  /** Built here (joined or filtered), not as fetched: its CRC field means nothing yet. */
  rebuilt?: boolean;
  /** A rebuilt batch: the compression bits of the source batches its records came from (its own bytes are uncompressed). */
  sourceCompression?: number;
  /** A rebuilt batch joined from this many source batches (see coalesce). */
  joinedFrom?: number;
}

/**
 * Splits a partition's fetched records into batches without decoding them. A last batch cut short
 * by the fetch size limit is left out: the next fetch starts at its offset.
 */
export function splitBatches(records: Buffer): BatchView[] {
  const batches: BatchView[] = [];
  let position = 0;
  while (records.length - position >= BATCH.records) {
    const length = records.readInt32BE(position + BATCH.length);
    const end = position + LOG_OVERHEAD + length;
    if (end > records.length) break;
    const bytes = records.subarray(position, end);
    const magic = bytes.readInt8(BATCH.magic);
    const baseOffset = bytes.readBigInt64BE(BATCH.baseOffset);
    if (magic < 2) {
      // Legacy message sets: one entry; only its last offset is known from the header.
      batches.push({ bytes, baseOffset, lastOffset: baseOffset, magic, attributes: 0, producerId: -1n, recordCount: 1, lastOffsetDelta: 0 });
    } else {
      const lastOffsetDelta = bytes.readInt32BE(BATCH.lastOffsetDelta);
      batches.push({
        bytes,
        baseOffset,
        lastOffset: baseOffset + BigInt(lastOffsetDelta),
        magic,
        attributes: bytes.readInt16BE(BATCH.attributes),
        producerId: bytes.readBigInt64BE(BATCH.producerId),
        recordCount: bytes.readInt32BE(BATCH.recordCount),
        lastOffsetDelta,
      });
    }
    position = end;
  }
  return batches;
}
