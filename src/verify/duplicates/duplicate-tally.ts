import { finalMix } from '../keyed-key-hash.ts';

/**
 * A slot, in uint32 words: destination partition + 1 (0: free), the record's 64-bit trace (low,
 * high), how often the plan holds it, how often other producers wrote it, and where the first
 * planned one lies (source partition, offset low and high).
 */
const SLOT = 8;
const PARTITION = 0;
const LO = 1;
const HI = 2;
const PLANNED = 3;
const FOUND = 4;
const SOURCE = 5;
const OFFSET_LO = 6;
const OFFSET_HI = 7;
const INITIAL_SLOTS = 1 << 12;
/** Other copies' offsets kept per record. */
export const MAX_OTHER_OFFSETS = 10;

export interface TalliedRecord {
  partition: number;
  sourcePartition: number;
  sourceOffset: bigint;
  planned: number;
  found: number;
  otherCopiesAt: bigint[];
}

const offset = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

/**
 * The planned records of one spill bucket by trace, with how often other producers wrote each:
 * an open-addressing table of typed words, so a bucket of tens of thousands of records costs a
 * megabyte or two and no object per record. Offsets of other copies are kept (ten per record)
 * only for records found.
 */
export class DuplicateTally {
  #slots: Uint32Array;
  #mask: number;
  #size = 0;
  readonly #others = new Map<number, number[]>();

  /** `expected`: planned records the bucket likely holds (the table grows past them). */
  constructor(expected = 0) {
    let slots = INITIAL_SLOTS;
    while (slots < 2 * expected) slots *= 2;
    this.#slots = new Uint32Array(slots * SLOT);
    this.#mask = slots - 1;
  }

  plan(partition: number, lo: number, hi: number, sourcePartition: number, offsetLo: number, offsetHi: number): void {
    const at = this.#find(partition, lo, hi, true);
    const slots = this.#slots;
    if (slots[at + PLANNED]!++ > 0) return;
    slots[at + SOURCE] = sourcePartition;
    slots[at + OFFSET_LO] = offsetLo;
    slots[at + OFFSET_HI] = offsetHi;
  }

  /** A record another producer wrote: counted if planned, else passed over. */
  found(partition: number, lo: number, hi: number, offsetLo: number, offsetHi: number): void {
    const at = this.#find(partition, lo, hi, false);
    if (at < 0) return;
    this.#slots[at + FOUND]!++;
    let others = this.#others.get(at);
    if (!others) this.#others.set(at, (others = []));
    if (others.length < 2 * MAX_OTHER_OFFSETS) others.push(offsetLo, offsetHi);
  }

  /** Each planned record other producers wrote too. */
  forEachFound(visit: (record: TalliedRecord) => void): void {
    const slots = this.#slots;
    for (const [at, others] of this.#others) {
      const otherCopiesAt: bigint[] = [];
      for (let i = 0; i < others.length; i += 2) otherCopiesAt.push(offset(others[i]!, others[i + 1]!));
      visit({
        partition: slots[at + PARTITION]! - 1,
        sourcePartition: slots[at + SOURCE]!,
        sourceOffset: offset(slots[at + OFFSET_LO]!, slots[at + OFFSET_HI]!),
        planned: slots[at + PLANNED]!,
        found: slots[at + FOUND]!,
        otherCopiesAt,
      });
    }
  }

  /** Forgets every record (the table keeps its size for the next bucket). */
  clear(): void {
    this.#slots.fill(0);
    this.#others.clear();
    this.#size = 0;
  }

  /** The slot of a trace; claimed when `claim`, else -1 if absent. */
  #find(partition: number, lo: number, hi: number, claim: boolean): number {
    if (claim && 2 * (this.#size + 1) > this.#mask + 1) this.#grow();
    const slots = this.#slots;
    const stored = partition + 1;
    let index = finalMix(lo ^ Math.imul(stored, 0x9e3779b1)) & this.#mask;
    for (;;) {
      const at = index * SLOT;
      if (slots[at + PARTITION] === 0) {
        if (!claim) return -1;
        slots[at + PARTITION] = stored;
        slots[at + LO] = lo;
        slots[at + HI] = hi;
        this.#size++;
        return at;
      }
      if (slots[at + PARTITION] === stored && slots[at + LO] === lo && slots[at + HI] === hi) return at;
      index = (index + 1) & this.#mask;
    }
  }

  /** Only while planning: no record was found yet, so no offsets point at slots. */
  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#mask = this.#mask * 2 + 1;
    this.#size = 0;
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + PARTITION] === 0) continue;
      const to = this.#find(old[at + PARTITION]! - 1, old[at + LO]!, old[at + HI]!, true);
      this.#slots.set(old.subarray(at + PLANNED, at + SLOT), to + PLANNED);
    }
  }
}
