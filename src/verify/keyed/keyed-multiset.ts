const WORDS = 8;
const WORD = 0x100000000;
/** A word gains less than 2^32 per record: 2^20 records keep it far below 2^53, where doubles stay exact. */
const RECORDS_BETWEEN_CARRIES = 1 << 20;

/**
 * Per destination partition: a count and the sum of its records' sha256 digests mod 2^256, the
 * same for the same records in any order (key-hash copies interleave source partitions freely).
 * The sum is kept as eight 32-bit words in doubles, carried now and then: a BigInt per record
 * would cost more than the digest itself. No accident makes two different multisets sum alike;
 * unlike one sha256 over a sequence, a sum can be matched on purpose (a generalized birthday
 * search over chosen records), by someone who writes records under the copy's producer ids.
 */
export class MultisetSums {
  readonly #words: Float64Array;
  readonly #counts: number[];

  constructor(partitions: number) {
    this.#words = new Float64Array(partitions * WORDS);
    this.#counts = new Array<number>(partitions).fill(0);
  }

  add(partition: number, digest: Uint8Array): void {
    const words = this.#words;
    const base = partition * WORDS;
    for (let i = 0; i < WORDS; i++) {
      const o = i * 4;
      words[base + i]! += ((digest[o]! << 24) | (digest[o + 1]! << 16) | (digest[o + 2]! << 8) | digest[o + 3]!) >>> 0;
    }
    if (++this.#counts[partition]! % RECORDS_BETWEEN_CARRIES === 0) this.#carry(base);
  }

  count(partition: number): number {
    return this.#counts[partition]!;
  }

  /** The sum as 64 hex digits. */
  hex(partition: number): string {
    const base = partition * WORDS;
    this.#carry(base);
    let text = '';
    for (let i = 0; i < WORDS; i++) text += this.#words[base + i]!.toString(16).padStart(8, '0');
    return text;
  }

  #carry(base: number): void {
    const words = this.#words;
    for (let i = WORDS - 1; i >= 0; i--) {
      const carry = Math.floor(words[base + i]! / WORD);
      words[base + i]! -= carry * WORD;
      if (i > 0) words[base + i - 1]! += carry;
    }
  }
}
