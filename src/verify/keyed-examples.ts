import { type KeyHash, hashKey } from './keyed-key-hash.ts';
import { type KeyedScanContext, scanKeyed } from './keyed-scan.ts';
import { showKey } from './record-ref.ts';

interface Wanted {
  partition: number;
  hi: number;
  name: string | null;
}

/**
 * Readable names of keys that differ, given per destination partition as hashes (the spill keeps
 * no key bytes): both sides are read again — the sources and the windows of those partitions
 * only — until each has been seen. Paid only by a verify that fails.
 */
export async function nameKeys(context: KeyedScanContext, hashes: KeyHash[][]): Promise<string[][]> {
  const nullKey = hashKey(null, { lo: 0, hi: 0 });
  const byLow = new Map<number, Wanted[]>();
  let unnamed = 0;
  const wanted = hashes.map((keys, partition) =>
    keys.map((key): Wanted => {
      const isNull = key.lo === nullKey.lo && key.hi === nullKey.hi;
      const entry: Wanted = { partition, hi: key.hi, name: isNull ? '<null>' : null };
      if (!isNull) {
        byLow.set(key.lo, [...(byLow.get(key.lo) ?? []), entry]);
        unnamed++;
      }
      return entry;
    }),
  );
  if (unnamed > 0) {
    const found = new AbortController();
    const key: KeyHash = { lo: 0, hi: 0 };
    const partitions = hashes.flatMap((keys, d) => (keys.length > 0 ? [d] : []));
    await scanKeyed(
      context,
      {
        record(record) {
          if (record.key === null) return;
          const candidates = byLow.get(hashKey(record.key, key).lo);
          for (const entry of candidates ?? []) {
            if (entry.name !== null || entry.hi !== key.hi || entry.partition !== record.partition) continue;
            entry.name = showKey(record.key);
            if (--unnamed === 0) found.abort();
          }
        },
      },
      { partitions, signal: found.signal },
    );
  }
  return wanted.map((entries) => entries.map((e, i) => e.name ?? `hash:${hashes[e.partition]![i]!.hi.toString(16).padStart(8, '0')}${hashes[e.partition]![i]!.lo.toString(16).padStart(8, '0')}`));
}
