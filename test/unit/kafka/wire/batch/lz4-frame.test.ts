import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compressionsAlgorithms } from '@platformatic/kafka';
import { KrerouteError } from '../../../../../src/common/errors.ts';
import { decompressLz4Frame } from '../../../../../src/kafka/wire/batch/lz4-frame.ts';

const lz4 = compressionsAlgorithms.lz4;

/** Text-like bytes: words from a small dictionary, compressible like the benchmark's values. */
function text(bytes: number, seed: number): Buffer {
  const words = ['tenant', 'order', 'id', '"value":', '{', '}', 'kafka', 'partition', '12345', 'offset'];
  let state = seed;
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    state = (state * 1103515245 + 12345) >>> 0;
    const word = words[state % words.length]!;
    parts.push(word);
    length += word.length + 1;
  }
  return Buffer.from(parts.join(' ')).subarray(0, bytes);
}

function random(bytes: number, seed: number): Buffer {
  const out = Buffer.alloc(bytes);
  let state = seed;
  for (let i = 0; i < bytes; i++) out[i] = (state = (state * 1664525 + 1013904223) >>> 0) >>> 24;
  return out;
}

test('decompresses what the client library compresses: empty, small, many blocks, incompressible, runs of one byte', () => {
  const inputs = [
    Buffer.alloc(0),
    Buffer.from('x'),
    text(1000, 1),
    text(300_000, 2),
    random(200_000, 3),
    Buffer.alloc(500_000, 97),
    Buffer.concat([random(70_000, 4), Buffer.alloc(70_000, 0), text(70_000, 5)]),
  ];
  for (const input of inputs) {
    const frame = lz4.compressSync(input);
    assert.ok(decompressLz4Frame(frame).equals(input), `${input.length} bytes`);
  }
});

test('decompresses into the buffer it is given, asking for at least the decompressed size', () => {
  const input = text(100_000, 6);
  const frame = lz4.compressSync(input);
  const asked: number[] = [];
  const given = Buffer.alloc(1 << 20, 0xee);
  const into = decompressLz4Frame(frame, (size) => (asked.push(size), given));
  assert.equal(into.buffer, given.buffer);
  assert.ok(into.equals(input));
  assert.equal(asked.length, 1);
  assert.ok(asked[0]! >= input.length);
});

/** A frame written by hand: its flags, block maximum size, and blocks given as (bytes, compressed?). */
function frameOf(flags: number, blocks: Array<[Buffer, boolean]>, contentSize?: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18, flags, 0x40])];
  if (contentSize !== undefined) {
    const size = Buffer.alloc(8);
    size.writeUInt32LE(contentSize, 0);
    parts.push(size);
  }
  parts.push(Buffer.from([0x00])); // header checksum: not checked
  for (const [bytes, compressed] of blocks) {
    const size = Buffer.alloc(4);
    size.writeUInt32LE((bytes.length | (compressed ? 0 : 0x80000000)) >>> 0);
    parts.push(size, bytes);
    if (flags & 0x10) parts.push(Buffer.alloc(4)); // block checksum: skipped
  }
  parts.push(Buffer.alloc(4));
  if (flags & 0x04) parts.push(Buffer.alloc(4)); // content checksum: skipped
  return Buffer.concat(parts);
}

test('linked blocks find matches in earlier blocks; stored blocks, checksums and a content size are read', () => {
  // Block 2 is: 0 literals, then a 20-byte match 26 bytes back (into block 1), then 5 literals.
  const first = Buffer.from('abcdefghijklmnopqrstuvwxyz');
  const second = Buffer.from([0x0f, 26, 0, 1, 0x50, ...Buffer.from('12345')]);
  const stored = Buffer.from('plain');
  const expected = Buffer.from('abcdefghijklmnopqrstuvwxyz' + 'abcdefghijklmnopqrst' + '12345' + 'plain');
  const linked = 0x40; // version 1, blocks linked, no checksums
  const everyOption = 0x40 | 0x10 | 0x08 | 0x04;
  // Block 1 as one literals-only sequence: token 0xF0 + length 26 - 15 = 11.
  const firstBlock = Buffer.concat([Buffer.from([0xf0, 11]), first]);
  for (const [flags, contentSize] of [
    [linked, undefined],
    [everyOption, expected.length],
  ] as const) {
    const frame = frameOf(
      flags,
      [
        [firstBlock, true],
        [second, true],
        [stored, false],
      ],
      contentSize,
    );
    assert.equal(decompressLz4Frame(frame).toString(), expected.toString());
  }
});

test('a declared content size larger than the blocks can hold does not size the output', () => {
  const block = Buffer.from([0x50, ...Buffer.from('hello')]);
  const asked: number[] = [];
  const out = decompressLz4Frame(frameOf(0x48, [[block, true]], 2 ** 31), (size) => (asked.push(size), Buffer.allocUnsafe(size)));
  assert.equal(out.toString(), 'hello');
  assert.ok(asked[0]! <= (64 << 10) + 64, `asked for ${asked[0]} bytes`);
});

test('an overlapping match repeats the bytes just written', () => {
  // 'ab', then a 10-byte match 2 back, then 5 literals: 'ab' × 6 + 'tail!'.
  const block = Buffer.from([0x26, ...Buffer.from('ab'), 2, 0, 0x50, ...Buffer.from('tail!')]);
  assert.equal(decompressLz4Frame(frameOf(0x40, [[block, true]])).toString(), 'abababababab' + 'tail!');
});

test('malformed frames fail with SOURCE_CORRUPT, never out of range', () => {
  const valid = lz4.compressSync(text(5000, 7));
  const cases: Array<[string, Buffer]> = [
    ['wrong magic', Buffer.from([0, 0, 0, 0, 0x40, 0x40, 0])],
    ['version 0', frameOf(0x00, [])],
    ['match before the output', frameOf(0x40, [[Buffer.from([0x10, 97, 5, 0, 0x50, 1, 2, 3, 4, 5]), true]])],
    ['match offset 0', frameOf(0x40, [[Buffer.from([0x10, 97, 0, 0, 0x50, 1, 2, 3, 4, 5]), true]])],
    ['literals past the block', frameOf(0x40, [[Buffer.from([0xf0, 200, 1, 2]), true]])],
    ['block ends with a match', frameOf(0x40, [[Buffer.from([0x10, 97, 1, 0]), true]])],
    ['output past the declared content size', frameOf(0x48, [[Buffer.from([0x50, 1, 2, 3, 4, 5]), true]], 2)],
    ['stored block past the declared content size', frameOf(0x48, [[Buffer.from('plain'), false]], 4)],
  ];
  for (let cut = 0; cut < valid.length; cut += 97) cases.push([`cut at ${cut}`, valid.subarray(0, cut)]);
  for (const [name, frame] of cases) {
    assert.throws(
      () => decompressLz4Frame(frame),
      (error: unknown) => error instanceof KrerouteError && error.code === 'SOURCE_CORRUPT',
      name,
    );
  }
});

test('flipped bytes either fail with SOURCE_CORRUPT or decode within bounds', () => {
  const frame = lz4.compressSync(text(20_000, 8));
  let state = 9;
  for (let trial = 0; trial < 2000; trial++) {
    const damaged = Buffer.from(frame);
    state = (state * 1103515245 + 12345) >>> 0;
    const at = 7 + (state % (damaged.length - 7));
    damaged[at] = damaged[at]! ^ (1 + ((state >>> 24) % 255));
    try {
      decompressLz4Frame(damaged);
    } catch (error) {
      assert.ok(error instanceof KrerouteError && error.code === 'SOURCE_CORRUPT', `trial ${trial}: ${String(error)}`);
    }
  }
});
