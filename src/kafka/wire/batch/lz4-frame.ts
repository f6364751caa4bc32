import { uncompressSync } from 'lz4-napi';
import { KrerouteError } from '../../../common/errors.ts';
import { freeNow } from '../free-buffer.ts';

/**
 * Decompresses one LZ4 frame (the format Kafka's lz4 codec writes a batch's records in) into a
 * buffer from `allocate` (asked for at least the decompressed size); returns the decompressed bytes.
 *
 * The frame is read by hand, its blocks decoded by lz4-napi's block decoder (lz4_flex, native):
 * the client library's WebAssembly decoder copies every frame into its memory and every result
 * out into a new buffer, and lz4-napi's own frame decoder checks every checksum and grows its
 * output as it goes. On the benchmark's lz4 batches (JSON, 2:1) the native blocks decode at
 * 560-640 MB/s where a decoder written in TypeScript reached 220-290 MB/s: filtering an lz4
 * topic spends most of its time here. Blocks are decoded into one output, and a linked block
 * (librdkafka writes them) is given the 64 KiB before it as its dictionary.
 *
 * Checksums (block and content xxHash32) are skipped: the caller has already checked the batch's
 * CRC32C, which covers the compressed bytes. Malformed input still fails: the decoder is
 * bounds-checked, and no block may decode to more than the frame's block size.
 */
export function decompressLz4Frame(frame: Uint8Array, allocate: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const header = readFrameHeader(frame);
  const capacity = outputBound(frame, header);
  const out = allocate(capacity);
  let read = header.blocksStart;
  let written = 0;
  for (;;) {
    const size = readUint32LE(frame, read);
    read += 4;
    if (size === 0) break;
    const length = size & 0x7fffffff;
    const end = read + length;
    if (end > frame.length) throw malformed('a block runs past the end of the frame');
    if (size & 0x80000000) {
      if (written + length > capacity) throw malformed('a stored block is larger than the frame declares');
      out.set(frame.subarray(read, end), written);
      written += length;
    } else {
      const dictionary = header.linkedBlocks && written > 0 ? out.subarray(Math.max(0, written - LINK_WINDOW), written) : undefined;
      written = decodeBlock(frame.subarray(read, end), Math.min(header.blockMaxSize, capacity - written), dictionary, out, written);
    }
    read = end + (header.blockChecksums ? 4 : 0);
  }
  return out.subarray(0, written);
}

interface FrameHeader {
  blocksStart: number;
  blockChecksums: boolean;
  /** Blocks may refer to the 64 KiB decoded before them. */
  linkedBlocks: boolean;
  blockMaxSize: number;
  contentSize: number | null;
}

/** How far back a linked block's matches may reach. */
const LINK_WINDOW = 64 * 1024;
const MAGIC = 0x184d2204;
const BLOCK_MAX_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

function readFrameHeader(frame: Uint8Array): FrameHeader {
  if (frame.length < 7 || readUint32LE(frame, 0) !== MAGIC) throw malformed('it does not start with the LZ4 frame magic number');
  const flags = frame[4]!;
  if (flags >> 6 !== 1) throw malformed(`frame version ${flags >> 6} is not 1`);
  const blockMaxSize = BLOCK_MAX_SIZES[(frame[5]! >> 4) & 7];
  if (blockMaxSize === undefined) throw malformed('its block maximum size is not one LZ4 defines');
  let position = 6;
  let contentSize: number | null = null;
  if (flags & 0x08) {
    if (frame.length < position + 8) throw malformed('its header is cut short');
    contentSize = readUint32LE(frame, position) + readUint32LE(frame, position + 4) * 2 ** 32;
    position += 8;
  }
  if (flags & 0x01) position += 4; // dictionary id: Kafka's frames carry none; a dictionary frame fails on its first match
  return { blocksStart: position + 1, blockChecksums: (flags & 0x10) !== 0, linkedBlocks: (flags & 0x20) === 0, blockMaxSize, contentSize };
}

/**
 * An upper bound of the decompressed size from the frame's blocks (a full block each, stored
 * blocks their own size); the content size the frame declares when that is smaller.
 */
function outputBound(frame: Uint8Array, header: FrameHeader): number {
  let bound = 0;
  let read = header.blocksStart;
  for (;;) {
    if (read + 4 > frame.length) throw malformed('it ends before its end mark');
    const size = readUint32LE(frame, read);
    if (size === 0) return header.contentSize === null ? bound : Math.min(bound, header.contentSize);
    bound += size & 0x80000000 ? size & 0x7fffffff : header.blockMaxSize;
    read += 4 + (size & 0x7fffffff) + (header.blockChecksums ? 4 : 0);
  }
}

/** lz4-napi's block format: the decompressed size bound (4 bytes, little-endian), then the block. */
let sizedBlock = Buffer.allocUnsafeSlow(0);

/**
 * Decodes one compressed block into `out` at `written`, refusing one that decodes to more than
 * `bound` bytes; returns the new written length.
 */
function decodeBlock(block: Uint8Array, bound: number, dictionary: Buffer | undefined, out: Buffer, written: number): number {
  if (sizedBlock.length < block.length + 4) sizedBlock = Buffer.allocUnsafeSlow(Math.max(block.length + 4, 64 * 1024 + 4));
  sizedBlock.writeUInt32LE(bound, 0);
  sizedBlock.set(block, 4);
  let decoded: Buffer;
  try {
    decoded = uncompressSync(sizedBlock.subarray(0, block.length + 4), dictionary);
  } catch (error) {
    throw malformed(`a block does not decode (${error instanceof Error ? error.message : String(error)})`);
  }
  const length = decoded.length;
  if (length > bound) throw malformed('a block decodes to more than the frame declares');
  out.set(decoded, written);
  freeNow(decoded);
  return written + length;
}

function readUint32LE(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) throw malformed('it is cut short');
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function malformed(reason: string): KrerouteError {
  return new KrerouteError('SOURCE_CORRUPT', `an lz4-compressed batch cannot be decompressed: ${reason}`);
}
