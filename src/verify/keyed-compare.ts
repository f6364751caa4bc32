import { createHash } from 'node:crypto';
import type { FetchedRecord } from '../kafka/record.ts';
import { type DigestFields, recordDigest } from './record-digest.ts';
import { showKey } from './record-ref.ts';

const MODULUS = 1n << 256n;

interface KeyState {
  chain: ReturnType<typeof createHash> | null;
  sum: bigint;
  /** The one source partition the key's records came from; SPREAD when several. */
  partition: number;
}

const SPREAD = -2;

/**
 * Summary of one destination partition's records for mapping "key-hash", where several source
 * partitions feed one destination partition and only the order per key is kept: a count, a
 * multiset digest (sum of record digests mod 2^256), and per key an order-sensitive digest —
 * or, for a key that several source partitions hold, an order-free one: those partitions' records
 * of it had no order between them to keep. The source side is summed first and tells the
 * destination side which keys those are.
 */
export class KeyedSummary {
  count = 0;
  #sum = 0n;
  readonly #perKey = new Map<string, KeyState>();
  readonly #fields: DigestFields;
  readonly #spread: ReadonlySet<string> | null;

  /** `spread`: on the destination side, the keys the source side found in several partitions. */
  constructor(fields: DigestFields = 'all', spread: ReadonlySet<string> | null = null) {
    this.#fields = fields;
    this.#spread = spread;
  }

  /** `sourcePartition`: where the record came from (source side only). */
  add(record: FetchedRecord, sourcePartition = -1): void {
    const digest = recordDigest(record, this.#fields);
    const value = BigInt(`0x${digest.toString('hex')}`);
    this.count++;
    this.#sum = (this.#sum + value) % MODULUS;
    const key = record.key === null ? '<null>' : record.key.toString('hex');
    let state = this.#perKey.get(key);
    if (!state) {
      const orderFree = this.#spread?.has(key) === true;
      this.#perKey.set(key, (state = { chain: orderFree ? null : createHash('sha256'), sum: 0n, partition: sourcePartition }));
    } else if (state.partition !== sourcePartition) {
      state.partition = SPREAD;
    }
    state.chain?.update(digest);
    if (this.#spread === null || state.chain === null) state.sum = (state.sum + value) % MODULUS;
  }

  finish(): { count: number; digest: string; perKey: Map<string, string>; spread: Set<string> } {
    const perKey = new Map<string, string>();
    const spread = new Set<string>();
    for (const [key, state] of this.#perKey) {
      const orderFree = state.chain === null || state.partition === SPREAD;
      if (orderFree) spread.add(key);
      perKey.set(key, orderFree ? `any-order:${state.sum.toString(16)}` : state.chain!.digest('hex'));
    }
    return { count: this.count, digest: this.#sum.toString(16).padStart(64, '0'), perKey, spread };
  }
}

/** Keys whose records differ between the two sides (readable form), at most `max`. */
export function differingKeys(source: Map<string, string>, destination: Map<string, string>, max: number): string[] {
  const keys: string[] = [];
  for (const key of new Set([...source.keys(), ...destination.keys()])) {
    if (source.get(key) !== destination.get(key)) keys.push(key === '<null>' ? '<null>' : (showKey(Buffer.from(key, 'hex')) ?? '<null>'));
    if (keys.length >= max) break;
  }
  return keys;
}
