import { compressionsAlgorithmsByBitmask } from '@platformatic/kafka';
import { KrerouteError } from '../errors.ts';
import { ATTRIBUTE, BATCH, type BatchView } from './batch-header.ts';
import { decompressLz4Frame } from './lz4-frame.ts';

const LZ4 = 3;

/**
 * A v2 batch's records as stored after its header, decompressed when the batch is compressed:
 * lz4 by kreroute's own decoder into a buffer from `allocate`, the others by the client library.
 */
export function recordsSection(batch: BatchView, allocate?: (size: number) => Buffer): Buffer {
  const compression = batch.attributes & ATTRIBUTE.compression;
  const stored = batch.bytes.subarray(BATCH.records);
  if (compression === 0) return stored;
  if (compression === LZ4) return decompressLz4Frame(stored, allocate);
  const algorithm = (compressionsAlgorithmsByBitmask as Record<number, { decompressSync: (data: Buffer) => Buffer; available: boolean } | undefined>)[compression];
  if (!algorithm?.available) {
    throw new KrerouteError('COPY_FAILED', `the batch at offset ${batch.baseOffset} uses a compression (attribute ${compression}) this Node cannot decompress`);
  }
  return algorithm.decompressSync(stored);
}
