import { type KeyHash, hashKey } from '../keyed-key-hash.ts';
import { type KeyedScanContext, scanKeyed } from './keyed-scan.ts';
import { showKey } from '../record-ref.ts';

interface Wanted {
  partition: number;
  key: KeyHash;
  name: string | null;
}

const hexOf = (key: KeyHash): string => `hash:${key.hi.toString(16).padStart(8, '0')}${key.lo.toString(16).padStart(8, '0')}`;

/**
 * Readable names of keys that differ, given per destination partition as hashes (the spill keeps
 * no key bytes): both sides are read again — the sources and the windows of those partitions
 * only — until each has been seen. Paid only by a verify that fails. A key not seen again (the
 * data changed meanwhile) keeps its hash as its name.
 */
export async function nameKeys(context: KeyedScanContext, hashes: KeyHash[][]): Promise<string[][]> {
  const nullKey = hashKey(null, { lo: 0, hi: 0 });
  const byLow = new Map<number, Wanted[]>();
  let unnamed = 0;
  const wanted = hashes.map((keys, partition) =>
    keys.map((key): Wanted => {
      if (key.lo === nullKey.lo && key.hi === nullKey.hi) return { partition, key, name: '<null>' };
      const entry: Wanted = { partition, key, name: null };
      byLow.set(key.lo, [...(byLow.get(key.lo) ?? []), entry]);
      unnamed++;
      return entry;
    }),
  );
  if (unnamed > 0) {
    const found = new AbortController();
    const seen: KeyHash = { lo: 0, hi: 0 };
    await scanKeyed(
      context,
      {
        record(record) {
          if (record.key === null) return;
          for (const entry of byLow.get(hashKey(record.key, seen).lo) ?? []) {
            if (entry.name !== null || entry.key.hi !== seen.hi || entry.partition !== record.partition) continue;
            entry.name = showKey(record.key);
            if (--unnamed === 0) found.abort();
          }
        },
      },
      { partitions: hashes.flatMap((keys, d) => (keys.length > 0 ? [d] : [])), signal: found.signal },
    );
  }
  return wanted.map((entries) => entries.map((e) => e.name ?? hexOf(e.key)));
}
