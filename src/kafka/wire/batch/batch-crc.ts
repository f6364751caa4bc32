import { crc32c } from '@node-rs/crc32';
import { KrerouteError } from '../../../common/errors.ts';
import { BATCH, type BatchView } from './batch-header.ts';

/**
 * Throws SOURCE_CORRUPT unless a fetched v2 batch matches its CRC32C. Every batch kreroute takes
 * apart (to join, filter or re-encode it) is checked first: its records go out under a new CRC,
 * which would otherwise make a damaged record look sound. Batches forwarded whole keep their own
 * CRC (updated, see stampBatch), so the destination checks those.
 */
export function checkBatchCrc(batch: BatchView): void {
  if (batch.magic < 2) return;
  const stored = batch.bytes.readUInt32BE(BATCH.crc);
  if (crc32c(batch.bytes.subarray(BATCH.attributes)) >>> 0 === stored) return;
  throw new KrerouteError(
    'SOURCE_CORRUPT',
    `the source batch at offset ${batch.baseOffset} does not match its CRC: it was damaged on the source or on its way`,
    {
      hint: 'read that partition with a Kafka consumer (it checks CRCs) to confirm; a damaged batch cannot be copied as it is',
    },
  );
}
