/** A header as Kafka stores it: order and repeated keys matter, a value may be null. */
export type RecordHeader = readonly [key: Buffer, value: Buffer | null];

/** One record's content, everything a copy must keep. */
export interface RecordContent {
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A record as read from a partition. */
export interface FetchedRecord extends RecordContent {
  offset: bigint;
  /** The producer id of its batch (-1 when none): tells our writes from others' on the destination. */
  producerId: bigint;
  /** Key, value and headers as stored, when read from an uncompressed batch (see decodeBatch). */
  raw?: Buffer;
}
