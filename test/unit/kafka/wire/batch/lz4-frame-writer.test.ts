import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compressionsAlgorithms } from '@platformatic/kafka';
import { decompressFrameSync } from 'lz4-napi';
import { compressLz4Frame } from '../../../../../src/kafka/wire/batch/lz4-frame-writer.ts';
import { decompressLz4Frame } from '../../../../../src/kafka/wire/batch/lz4-frame.ts';

/** JSON-like records: compressible as the benchmark's values. */
function json(bytes: number): Buffer {
  const parts: string[] = [];
  for (let i = 0, length = 0; length < bytes; i++) {
    const part = JSON.stringify({ tenant: 'b', order: i, note: 'standard delivery, leave at the door', qty: i % 7 });
    parts.push(part);
    length += part.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

function random(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let state = 7;
  for (let i = 0; i < bytes; i++) out[i] = (state = (state * 1664525 + 1013904223) >>> 0) >>> 24;
  return out;
}

test('a frame Kafka reads: version 1, independent blocks of at most 1 MiB, no checksums, a valid header checksum', () => {
  const bytes = json(2_500_000);
  const frame = compressLz4Frame(bytes);
  assert.deepEqual([...frame.subarray(0, 7)], [0x04, 0x22, 0x4d, 0x18, 0x60, 0x60, 0x51]);
  // lz4-napi checks the header checksum; the client library's decoder reads it as Kafka's consumers do.
  assert.deepEqual(decompressFrameSync(frame), bytes);
  assert.deepEqual(Buffer.from(compressionsAlgorithms.lz4.decompressSync(frame)), bytes);
  // Every block holds at most 1 MiB once decompressed.
  let at = 7;
  let blocks = 0;
  for (let size = frame.readUInt32LE(at); size !== 0; size = frame.readUInt32LE(at)) {
    const block = frame.subarray(at + 4, at + 4 + (size & 0x7fffffff));
    const plain = size & 0x80000000 ? block : decompressFrameSync(Buffer.concat([frame.subarray(0, 7), frame.subarray(at, at + 4), block, Buffer.alloc(4)]));
    assert.ok(plain.length <= 1024 * 1024, `block of ${plain.length} bytes`);
    at += 4 + (size & 0x7fffffff);
    blocks++;
  }
  assert.equal(blocks, 3);
  assert.equal(at + 4, frame.length, 'the end mark closes the frame');
});

test('bytes that do not compress are stored, and the frame reads back; so are an empty input and one byte', () => {
  for (const bytes of [random(200_000), Buffer.alloc(0), Buffer.from([42]), json(1024 * 1024), json(1024 * 1024 + 1)]) {
    const frame = compressLz4Frame(bytes);
    assert.deepEqual(decompressFrameSync(frame), bytes);
    assert.deepEqual(decompressLz4Frame(frame), bytes);
  }
  const stored = compressLz4Frame(random(1000));
  assert.equal(stored.readUInt32LE(7), (1000 | 0x80000000) >>> 0, 'a stored block says so in its size');
});
