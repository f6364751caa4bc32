import { crc32c } from '@node-rs/crc32';

// CRC32C is linear: for equal-length messages a and b, crc(a ⊕ b) = crc(a) ⊕ crc(b) ⊕ crc(0…0).
// So when only the first bytes of a long message change, the new CRC is the old one ⊕ the CRC of
// the change followed by zeros, and "followed by n zeros" is a 32×32 matrix over GF(2) applied to
// a 32-bit register (as in zlib's crc32_combine). That costs a few hundred operations instead of
// reading the whole message again.

const POLYNOMIAL = 0x82f63b78; // CRC32C, reflected

function times(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let i = 0; vector !== 0; i++, vector >>>= 1) if (vector & 1) sum ^= matrix[i]!;
  return sum >>> 0;
}

function square(matrix: Uint32Array): Uint32Array {
  const out = new Uint32Array(32);
  for (let i = 0; i < 32; i++) out[i] = times(matrix, matrix[i]!);
  return out;
}

/** ZERO_BYTES[k]: the register after 2^k zero bytes, as a matrix. */
const ZERO_BYTES: Uint32Array[] = (() => {
  const oneBit = new Uint32Array(32);
  oneBit[0] = POLYNOMIAL;
  for (let i = 1; i < 32; i++) oneBit[i] = 1 << (i - 1);
  let m = square(square(square(oneBit))); // 8 bits: one byte
  const powers: Uint32Array[] = [];
  for (let k = 0; k < 32; k++) {
    powers.push(m);
    m = square(m);
  }
  return powers;
})();

function appendZeros(register: number, count: number): number {
  for (let k = 0; count > 0; k++, count = Math.floor(count / 2)) if (count % 2 === 1) register = times(ZERO_BYTES[k]!, register);
  return register;
}

const zerosCrc = new Map<number, number>();

/** crc(0…0) of a length: what the CRC's initial value and final xor add (the same for every call here). */
function crcOfZeros(length: number): number {
  let crc = zerosCrc.get(length);
  if (crc === undefined) zerosCrc.set(length, (crc = crc32c(Buffer.alloc(length)) >>> 0));
  return crc;
}

/**
 * The CRC32C of `message` after its first `before.length` bytes changed from `before` to their
 * current value, given `oldCrc`, the CRC of the message as it was. The rest of the message is
 * not read; a message that was already damaged stays damaged (its new CRC is wrong as well).
 */
export function updatedCrc32c(oldCrc: number, before: Buffer, message: Buffer): number {
  const changed = Buffer.allocUnsafe(before.length);
  for (let i = 0; i < before.length; i++) changed[i] = before[i]! ^ message[i]!;
  const linear = (crc32c(changed) ^ crcOfZeros(before.length)) >>> 0;
  return (oldCrc ^ appendZeros(linear, message.length - before.length)) >>> 0;
}
