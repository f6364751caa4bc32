import { createHash } from 'node:crypto';
import type { FetchedRecord } from '../kafka/record.ts';
import { type DigestFields, recordDigest } from './record-digest.ts';
import { showKey } from './record-ref.ts';

const MODULUS = 1n << 256n;

/**
 * Order-free summary of one destination partition's records for mapping "key-hash", where several
 * source partitions feed one destination partition and only the order per key is kept: a count, a
 * multiset digest (sum of record digests mod 2^256) and an order-sensitive digest per key.
 */
export class KeyedSummary {
  count = 0;
  #sum = 0n;
  readonly #perKey = new Map<string, ReturnType<typeof createHash>>();
  readonly #fields: DigestFields;

  constructor(fields: DigestFields = 'all') {
    this.#fields = fields;
  }

  add(record: FetchedRecord): void {
    const digest = recordDigest(record, this.#fields);
    this.count++;
    this.#sum = (this.#sum + BigInt(`0x${digest.toString('hex')}`)) % MODULUS;
    const key = record.key === null ? '<null>' : record.key.toString('hex');
    let chain = this.#perKey.get(key);
    if (!chain) this.#perKey.set(key, (chain = createHash('sha256')));
    chain.update(digest);
  }

  finish(): { count: number; digest: string; perKey: Map<string, string> } {
    const perKey = new Map<string, string>();
    for (const [key, chain] of this.#perKey) perKey.set(key, chain.digest('hex'));
    return { count: this.count, digest: this.#sum.toString(16).padStart(64, '0'), perKey };
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
