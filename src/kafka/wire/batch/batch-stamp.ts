import { crc32c } from '@node-rs/crc32';
import { ATTRIBUTE, BATCH } from './batch-header.ts';
import { updatedCrc32c } from './crc32c-update.ts';

export interface Stamp {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
}

/**
 * How the batch's CRC is made: computed over the whole batch (one we built), or updated from the
 * CRC it came with for the header fields that changed (a batch forwarded as fetched). Updating
 * reads 36 bytes instead of the batch, and a batch that arrived damaged keeps a wrong CRC, so the
 * destination refuses it instead of storing it under a fresh, valid one.
 */
export type CrcMode = 'compute' | 'update';

/** From attributes to baseSequence: the covered bytes a stamp may change. */
const STAMPED_END = BATCH.recordCount;

/**
 * Makes a batch ours to produce, in place: base offset 0 and leader epoch -1 (the broker assigns
 * both), our producer id, epoch and sequence, the transactional bit as our producer needs it; then
 * its CRC32C. Key, value, headers, timestamps and the (compressed) payload stay as they are.
 */
export function stampBatch(batch: Buffer, stamp: Stamp, crc: CrcMode = 'compute'): void {
  const before = crc === 'update' ? Buffer.from(batch.subarray(BATCH.attributes, STAMPED_END)) : undefined;
  batch.writeBigInt64BE(0n, BATCH.baseOffset);
  batch.writeInt32BE(-1, BATCH.partitionLeaderEpoch);
  const attributes = batch.readInt16BE(BATCH.attributes);
  const wanted = stamp.transactional ? attributes | ATTRIBUTE.transactional : attributes & ~ATTRIBUTE.transactional;
  batch.writeInt16BE(wanted, BATCH.attributes);
  batch.writeBigInt64BE(stamp.producerId, BATCH.producerId);
  batch.writeInt16BE(stamp.producerEpoch, BATCH.producerEpoch);
  batch.writeInt32BE(stamp.baseSequence, BATCH.baseSequence);
  const covered = batch.subarray(BATCH.attributes);
  const value = before ? updatedCrc32c(batch.readUInt32BE(BATCH.crc), before, covered) : crc32c(covered) >>> 0;
  batch.writeUInt32BE(value, BATCH.crc);
}
