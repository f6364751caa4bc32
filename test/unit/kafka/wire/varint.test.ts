import assert from 'node:assert/strict';
import { test } from 'node:test';
import { varIntSize, varLongSize, writeVarInt, writeVarLong } from '../../../../src/kafka/wire/varint.ts';

/**
 * Kafka's record fields use protobuf's zigzag varints: zigzag(n) = (n << 1) ^ (n >> 63), then 7 bits
 * a byte, least significant first, high bit set on every byte but the last. The expected bytes
 * below are worked out by hand from that rule (https://protobuf.dev/programming-guides/encoding/).
 */
const INTS: Array<[number, string]> = [
  [0, '00'],
  [-1, '01'],
  [1, '02'],
  [-2, '03'],
  [63, '7e'],
  [-64, '7f'],
  [64, '8001'],
  [300, 'd804'],
  [2147483647, 'feffffff0f'],
  [-2147483648, 'ffffffff0f'],
];

const LONGS: Array<[bigint, string]> = [
  [0n, '00'],
  [5n, '0a'],
  [1073741823n, 'feffffff07'],
  [-1073741824n, 'ffffffff07'],
  // Just outside the 31-bit fast path.
  [1073741824n, '8080808008'],
  [-1073741825n, '8180808008'],
  // Just outside 32 bits.
  [2147483648n, '8080808010'],
  [-2147483649n, '8180808010'],
  // A millisecond timestamp: zigzag 3,400,000,000,000, whose low 7 bits are 0.
  [1700000000000n, '80a0abfef962'],
  [9223372036854775807n, 'feffffffffffffffff01'],
  [-9223372036854775808n, 'ffffffffffffffffff01'],
];

function written(write: (buffer: Buffer, position: number) => number): string {
  const buffer = Buffer.alloc(16, 0xaa);
  const end = write(buffer, 3);
  assert.ok(
    buffer.subarray(0, 3).every((b) => b === 0xaa),
    'nothing written before the position',
  );
  return buffer.subarray(3, end).toString('hex');
}

test('writeVarInt: zigzag varint bytes of 32-bit values, and varIntSize counts them', () => {
  for (const [value, hex] of INTS) {
    assert.equal(
      written((buffer, position) => writeVarInt(buffer, position, value)),
      hex,
      `writeVarInt(${value})`,
    );
    assert.equal(varIntSize(value), hex.length / 2, `varIntSize(${value})`);
  }
});

test('writeVarLong: zigzag varlong bytes of 64-bit values, and varLongSize counts them', () => {
  for (const [value, hex] of LONGS) {
    assert.equal(
      written((buffer, position) => writeVarLong(buffer, position, value)),
      hex,
      `writeVarLong(${value})`,
    );
    assert.equal(varLongSize(value), hex.length / 2, `varLongSize(${value})`);
  }
});
