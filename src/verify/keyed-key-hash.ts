/** A key's 64-bit hash as two unsigned 32-bit halves: a reused holder, so hashing allocates nothing. */
export interface KeyHash {
  lo: number;
  hi: number;
}

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function mixA(k: number): number {
  return Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
}

function mixB(k: number): number {
  return Math.imul(rotl(Math.imul(k, 0x85ebca77), 13), 0xc2b2ae3d);
}

/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
export function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A 64-bit hash of a record key (null apart from empty): what names a key in key-hash verify's
 * spill and its per-key comparison, where millions of keys cannot be kept as bytes. Two murmur3
 * style lanes over the bytes, crossed at the end. Not cryptographic, and need not be: see
 * KeyGroups for what a collision can and cannot do.
 */
export function hashKey(key: Uint8Array | null, out: KeyHash): KeyHash {
  return key === null ? hashRange(null, 0, 0, out) : hashRange(key, 0, key.length, out);
}

/** hashKey of bytes [start, end) of `bytes`, without a view of them (null: a null key). */
export function hashRange(bytes: Uint8Array | null, start: number, end: number, out: KeyHash): KeyHash {
  const length = bytes === null ? -1 : end - start;
  let a = 0x9747b28c ^ length;
  let b = 0x5bd1e995 ^ length;
  if (bytes !== null) {
    const whole = start + (length & ~3);
    let i = start;
    for (; i < whole; i += 4) {
      const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
      a = (Math.imul(rotl(a ^ mixA(k), 13), 5) + 0xe6546b64) | 0;
      b = (Math.imul(rotl(b ^ mixB(k), 17), 9) + 0x38495ab5) | 0;
    }
    if (i < end) {
      let k = 0;
      for (let shift = 0; i < end; i++, shift += 8) k |= bytes[i]! << shift;
      a ^= mixA(k);
      b ^= mixB(k);
    }
  }
  a = (a + b) | 0;
  b = (b + a) | 0;
  a = finalMix(a);
  b = finalMix(b);
  a = (a + b) | 0;
  b = (b + a) | 0;
  out.lo = a >>> 0;
  out.hi = b >>> 0;
  return out;
}
