import { compressionsAlgorithmsByBitmask } from '@platformatic/kafka';
import { KrerouteError } from '../errors.ts';
import { ATTRIBUTE, BATCH, type BatchView } from './batch-header.ts';

/** A v2 batch's records as stored after its header, decompressed when the batch is compressed. */
export function recordsSection(batch: BatchView): Buffer {
  const compression = batch.attributes & ATTRIBUTE.compression;
  const stored = batch.bytes.subarray(BATCH.records);
  if (compression === 0) return stored;
  const algorithm = (compressionsAlgorithmsByBitmask as Record<number, { decompressSync: (data: Buffer) => Buffer; available: boolean } | undefined>)[compression];
  if (!algorithm?.available) {
    throw new KrerouteError('COPY_FAILED', `the batch at offset ${batch.baseOffset} uses a compression (attribute ${compression}) this Node cannot decompress`);
  }
  return algorithm.decompressSync(stored);
}
