import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { isKrerouteError } from '../../../../../src/common/errors.ts';
import { decompressZstd, zstdContentSize } from '../../../../../src/kafka/wire/batch/zstd-frame.ts';

const records = (size: number) =>
  Buffer.from(
    Array.from({ length: size }, (_, i) => `{"order":${i % 977},"tenant":"b"}`)
      .join('')
      .slice(0, size),
  );

test('zstdContentSize reads the size a one-shot compressor declares, in each of its field widths', () => {
  for (const size of [0, 200, 255, 256, 65_791, 65_792, 900 * 1024, 5 * 1024 * 1024]) {
    assert.equal(zstdContentSize(zlib.zstdCompressSync(records(size))), size, `${size} bytes`);
  }
});

test('zstdContentSize: null for a frame that does not declare its size, and for bytes that are no zstd frame', () => {
  const undeclared = zlib.zstdCompressSync(records(100_000), { params: { [zlib.constants.ZSTD_c_contentSizeFlag]: 0 } });
  assert.equal(zstdContentSize(undeclared), null);
  assert.equal(zstdContentSize(Buffer.from('not zstd at all')), null);
  assert.equal(zstdContentSize(zlib.zstdCompressSync(records(1000)).subarray(0, 5)), null);
});

test('decompressZstd gives back the records with and without a declared size, also larger than its guess; corrupt input is SOURCE_CORRUPT', () => {
  for (const size of [10, 100_000, 3 * 1024 * 1024]) {
    const data = records(size);
    assert.deepEqual(decompressZstd(zlib.zstdCompressSync(data)), data);
    // Highly compressible: far more than 8 times the compressed size, in several chunks.
    const undeclared = zlib.zstdCompressSync(data, { params: { [zlib.constants.ZSTD_c_contentSizeFlag]: 0 } });
    assert.deepEqual(decompressZstd(undeclared), data);
  }
  const frame = zlib.zstdCompressSync(records(50_000));
  frame[frame.length - 5]! ^= 0xff;
  assert.throws(
    () => decompressZstd(frame.subarray(0, frame.length - 3)),
    (e: unknown) => isKrerouteError(e) && e.code === 'SOURCE_CORRUPT',
  );
});

test("decompressZstd with a caller's buffer: the records are in it, with and without a declared size", () => {
  const scratch = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
  for (const declare of [1, 0]) {
    const data = records(900 * 1024);
    const frame = zlib.zstdCompressSync(data, { params: { [zlib.constants.ZSTD_c_contentSizeFlag]: declare } });
    const out = decompressZstd(frame, () => scratch);
    assert.equal(out.buffer, scratch.buffer);
    assert.deepEqual(out, data);
  }
});

test('decompressZstd: a frame declaring a false, huge size fails as SOURCE_CORRUPT', () => {
  const frame = zlib.zstdCompressSync(records(300_000));
  assert.equal(frame[4]! >> 6, 2, 'a 4-byte size field');
  const lying = Buffer.from(frame);
  const at = 5 + ((lying[4]! & 0x20) !== 0 ? 0 : 1);
  lying.writeUInt32LE(0xfffffff0, at);
  assert.equal(zstdContentSize(lying), 0xfffffff0);
  assert.throws(
    () => decompressZstd(lying),
    (e: unknown) => isKrerouteError(e) && e.code === 'SOURCE_CORRUPT',
  );
});
