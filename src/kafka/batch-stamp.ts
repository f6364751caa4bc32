import { crc32c } from '@node-rs/crc32';
import { ATTRIBUTE, BATCH } from './batch-header.ts';

export interface Stamp {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
}

/**
 * Makes a batch ours to produce, in place: base offset 0 and leader epoch -1 (the broker assigns
 * both), our producer id, epoch and sequence, the transactional bit as our producer needs it; then
 * a fresh CRC32C. Key, value, headers, timestamps and the (compressed) payload stay as they are.
 */
export function stampBatch(batch: Buffer, stamp: Stamp): void {
  batch.writeBigInt64BE(0n, BATCH.baseOffset);
  batch.writeInt32BE(-1, BATCH.partitionLeaderEpoch);
  const attributes = batch.readInt16BE(BATCH.attributes);
  const wanted = stamp.transactional ? attributes | ATTRIBUTE.transactional : attributes & ~ATTRIBUTE.transactional;
  batch.writeInt16BE(wanted, BATCH.attributes);
  batch.writeBigInt64BE(stamp.producerId, BATCH.producerId);
  batch.writeInt16BE(stamp.producerEpoch, BATCH.producerEpoch);
  batch.writeInt32BE(stamp.baseSequence, BATCH.baseSequence);
  batch.writeUInt32BE(crc32c(batch.subarray(BATCH.attributes)) >>> 0, BATCH.crc);
}
