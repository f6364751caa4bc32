import { compressionsAlgorithmsByBitmask } from '@platformatic/kafka';
import { KrerouteError } from '../../../common/errors.ts';
import { ATTRIBUTE, BATCH, type BatchView } from './batch-header.ts';
import { freeNow } from '../free-buffer.ts';
import { decompressLz4Frame } from './lz4-frame.ts';
import { decompressZstd } from './zstd-frame.ts';

const LZ4 = 3;
const ZSTD = 4;

/** Larger decompressed batches get a buffer of their own, left to the garbage collector. */
const KEPT_SCRATCH_BYTES = 16 * 1024 * 1024;
let scratch: Buffer | undefined;

/**
 * One buffer for every batch's decompressed records, for callers that are done with a batch's
 * records before they decompress the next (they copy out what they keep).
 */
export function decompressionScratch(size: number): Buffer {
  if (scratch && scratch.length >= size) return scratch;
  const fresh = Buffer.allocUnsafeSlow(size);
  if (size <= KEPT_SCRATCH_BYTES) scratch = fresh;
  return fresh;
}

/**
 * A v2 batch's records as stored after its header, decompressed when the batch is compressed:
 * lz4 by kreroute's frame reader (see decompressLz4Frame) into a buffer from `allocate`; zstd by
 * node:zlib (see decompressZstd), the others by the client library, both with `allocate` copied
 * into its buffer and their own freed at once (see freeNow): left to the collector, every
 * batch's decompressed records made V8 run full collections.
 */
export function recordsSection(batch: BatchView, allocate?: (size: number) => Buffer): Buffer {
  const compression = batch.attributes & ATTRIBUTE.compression;
  const stored = batch.bytes.subarray(BATCH.records);
  if (compression === 0) return stored;
  if (compression === LZ4) return decompressLz4Frame(stored, allocate);
  if (compression === ZSTD) return decompressZstd(stored, allocate);
  const records = libraryDecompress(batch, compression, stored);
  if (!allocate) return records;
  const out = allocate(records.length).subarray(0, records.length);
  out.set(records);
  freeNow(records);
  return out;
}

function libraryDecompress(batch: BatchView, compression: number, stored: Buffer): Buffer {
  const algorithm = (compressionsAlgorithmsByBitmask as Record<number, { decompressSync: (data: Buffer) => Buffer; available: boolean } | undefined>)[
    compression
  ];
  if (!algorithm?.available) {
    throw new KrerouteError('UNSUPPORTED', `the batch at offset ${batch.baseOffset} uses a compression (attribute ${compression}) this Node cannot decompress`);
  }
  return algorithm.decompressSync(stored);
}
