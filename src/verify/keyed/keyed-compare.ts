import { type KeyHash, finalMix } from '../keyed-key-hash.ts';
import { DESTINATION_SIDE, ENTRY_WORDS, type KeyedSpill } from '../keyed-spill.ts';

/**
 * A group's slot, in uint32 words: destination partition + 1 (0: free slot), key hash (low,
 * high), the source partition its source records came from (NO_SOURCE, SPREAD), then per side a
 * chain and a sum of the records' 64-bit digests (two words each).
 */
const SLOT = 12;
const PARTITION = 0;
const KEY_LO = 1;
const KEY_HI = 2;
const SOURCE = 3;
const SOURCE_CHAIN = 4;
const SOURCE_SUM = 6;
const DESTINATION_CHAIN = 8;
const DESTINATION_SUM = 10;

const NO_SOURCE = 0xffffffff;
const SPREAD = 0xfffffffe;
const DESTINATION = DESTINATION_SIDE >>> 0;
const INITIAL_SLOTS = 1 << 12;

/**
 * The records of one spill bucket grouped by (destination partition, key hash), both sides folded
 * in as they come, so memory follows the bucket's distinct keys and not its records (a key with
 * millions of records takes one slot). Mapping "key-hash" keeps the order of a key's records when
 * they came from one source partition: such a group compares an order-sensitive chain of its
 * records' digests. A key several source partitions held had no order between those partitions to
 * keep: its group compares order-free sums. The source side decides which it is.
 *
 * Why 64 bits suffice here: what a copy must keep — every record, unchanged — is proved per
 * destination partition by counts and a 256-bit sum of sha256 digests (MultisetSums). Groups only
 * check the order per key and name the keys that differ. Two keys whose hashes collide (about
 * n²/2^65 for n keys of a partition: under 10^-6 for 5 million) share a group: if one source
 * partition held both, their interleaving is compared too (a copy that kept each key's order but
 * not their interleaving would fail, never pass wrongly); if not, their order goes unchecked. Two
 * different records' 64-bit digests, or two different orders' chains, meet with odds of 2^-64:
 * one reordering that could go unnoticed.
 */
export class KeyGroups {
  #slots = new Uint32Array(INITIAL_SLOTS * SLOT);
  #mask = INITIAL_SLOTS - 1;
  #size = 0;

  /** Folds in `count` entries (see KeyedSpill) in their order. */
  add(entries: Uint32Array, count: number): void {
    for (let e = 0; e < count * ENTRY_WORDS; e += ENTRY_WORDS) {
      const at = this.#slotOf(entries[e]!, entries[e + 2]!, entries[e + 3]!);
      const slots = this.#slots;
      const source = entries[e + 1]!;
      const lo = entries[e + 4]!;
      const hi = entries[e + 5]!;
      if (source === DESTINATION) {
        chain(slots, at + DESTINATION_CHAIN, lo, hi);
        sum(slots, at + DESTINATION_SUM, lo, hi);
        continue;
      }
      const held = slots[at + SOURCE]!;
      if (held === NO_SOURCE) slots[at + SOURCE] = source;
      else if (held !== source) slots[at + SOURCE] = SPREAD;
      chain(slots, at + SOURCE_CHAIN, lo, hi);
      sum(slots, at + SOURCE_SUM, lo, hi);
    }
  }

  /** Calls `visit` for each group whose two sides differ (any order). */
  forEachDiffering(visit: (partition: number, key: KeyHash) => void): void {
    const slots = this.#slots;
    const key: KeyHash = { lo: 0, hi: 0 };
    for (let at = 0; at < slots.length; at += SLOT) {
      if (slots[at + PARTITION] === 0) continue;
      const compared = slots[at + SOURCE] === SPREAD ? SOURCE_SUM : SOURCE_CHAIN;
      const other = compared === SOURCE_SUM ? DESTINATION_SUM : DESTINATION_CHAIN;
      if (slots[at + compared] === slots[at + other] && slots[at + compared + 1] === slots[at + other + 1]) continue;
      key.lo = slots[at + KEY_LO]!;
      key.hi = slots[at + KEY_HI]!;
      visit(slots[at + PARTITION]! - 1, key);
    }
  }

  /** Forgets every group (the table keeps its size for the next bucket). */
  clear(): void {
    this.#slots.fill(0);
    this.#size = 0;
  }

  /** The slot of a group, claimed (with no source yet) if new. */
  #slotOf(partition: number, lo: number, hi: number): number {
    if (2 * (this.#size + 1) > this.#mask + 1) this.#grow();
    const slots = this.#slots;
    const stored = partition + 1;
    let index = (lo ^ Math.imul(stored, 0x9e3779b1)) & this.#mask;
    for (;;) {
      const at = index * SLOT;
      if (slots[at + PARTITION] === 0) {
        slots[at + PARTITION] = stored;
        slots[at + KEY_LO] = lo;
        slots[at + KEY_HI] = hi;
        slots[at + SOURCE] = NO_SOURCE;
        this.#size++;
        return at;
      }
      if (slots[at + PARTITION] === stored && slots[at + KEY_LO] === lo && slots[at + KEY_HI] === hi) return at;
      index = (index + 1) & this.#mask;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#mask = this.#mask * 2 + 1;
    this.#size = 0;
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + PARTITION] === 0) continue;
      const to = this.#slotOf(old[at + PARTITION]! - 1, old[at + KEY_LO]!, old[at + KEY_HI]!);
      this.#slots.set(old.subarray(at + SOURCE, at + SLOT), to + SOURCE);
    }
  }
}

/** Order-sensitive: the state goes through a bijective 64-bit mix after each digest is xored in. */
function chain(slots: Uint32Array, at: number, lo: number, hi: number): void {
  const a = finalMix(((slots[at]! ^ lo) + 0x9e3779b9) | 0);
  slots[at + 1] = finalMix(((slots[at + 1]! ^ hi ^ a) + 0x7f4a7c15) | 0);
  slots[at] = a;
}

/** Order-free: 64-bit addition. */
function sum(slots: Uint32Array, at: number, lo: number, hi: number): void {
  const low = slots[at]! + lo;
  slots[at] = low;
  slots[at + 1] = slots[at + 1]! + hi + (low > 0xffffffff ? 1 : 0);
}

/** Compares a spill, both sides added, bucket by bucket; `visit` gets each group whose sides differ. */
export async function compareSpill(spill: KeyedSpill, visit: (partition: number, key: KeyHash) => void): Promise<void> {
  spill.finish();
  const groups = new KeyGroups();
  for (let bucket = 0; bucket < spill.buckets; bucket++) {
    await spill.forEachChunk(bucket, (entries, count) => groups.add(entries, count));
    groups.forEachDiffering(visit);
    groups.clear();
  }
}
