import type { MessageToProduce } from '@platformatic/kafka';

/**
 * Deterministic benchmark records. Record i goes to partition i % partitions; it has a 12-byte
 * key, a text value of exactly `valueBytes` bytes (words from a random dictionary: compressible
 * like log or JSON text, and free of tab and newline so kcat's text pipe can carry it), and two
 * headers: `tenant` (a or b, alternating within every partition) and `trace-id` (16 hex digits).
 */
export class RecordFactory {
  readonly valueBytes: number;
  readonly #values: Buffer[];
  readonly #baseTimestamp: bigint;
  static readonly TENANT_HEADER = 'tenant';

  /**
   * Record i gets timestamp baseTimestamp + i ms. The default puts the last record a second in the
   * past: brokers refuse timestamps more than an hour ahead (log.message.timestamp.after.max.ms).
   */
  constructor(valueBytes: number, records: number, baseTimestamp = BigInt(Date.now() - records - 1000)) {
    this.valueBytes = valueBytes;
    this.#baseTimestamp = baseTimestamp;
    this.#values = valuePool(valueBytes);
  }

  tenantOf(index: number, partitions: number): 'a' | 'b' {
    return Math.floor(index / partitions) % 2 === 0 ? 'a' : 'b';
  }

  record(topic: string, index: number, partitions: number): MessageToProduce {
    const key = `user-${String(((index * 2654435761) >>> 0) % 10_000_000).padStart(7, '0')}`;
    return {
      topic,
      partition: index % partitions,
      timestamp: this.#baseTimestamp + BigInt(index),
      key: Buffer.from(key),
      value: this.#values[index % this.#values.length]!,
      headers: new Map([
        [TENANT, this.tenantOf(index, partitions) === 'a' ? A : B],
        [TRACE, Buffer.from(index.toString(16).padStart(16, '0'))],
      ]),
    };
  }

  /** Key + value + header names and values, the bytes every tool must carry. */
  get recordBytes(): number {
    return 12 + this.valueBytes + TENANT.length + 1 + TRACE.length + 16;
  }

  /** What a filtered copy keeps: records with header tenant=a (kreroute's filter, and the grep of a kcat pipe that has none). */
  get filter(): BenchFilter {
    return { spec: { kind: 'header', name: RecordFactory.TENANT_HEADER, value: 'a' }, keyGrep: null };
  }

  /** How many of records 0..n-1 the filter keeps. */
  filteredCount(n: number, partitions: number): number {
    return this.tenantACount(n, partitions);
  }

  /** How many of records 0..n-1 carry tenant=a. */
  tenantACount(n: number, partitions: number): number {
    let count = 0;
    for (let i = 0; i < n; i++) if (this.tenantOf(i, partitions) === 'a') count++;
    return count;
  }
}

/** A filtered copy's filter: kreroute's spec, and the `grep` regex on kcat's `key<TAB>value` lines that keeps the same records (null: none can). */
export interface BenchFilter {
  spec: { kind: 'header'; name: string; value: string } | { kind: 'key-prefix'; prefix: string };
  keyGrep: string | null;
}

const TENANTS = ['a', 'b', 'c'] as const;

/**
 * The usual filtered job's data: three tenants interleaved in every partition (record i belongs
 * to tenant ⌊i / partitions⌋ mod 3), keyed `tenant-<t>-<customer>`, with JSON order values of
 * about `valueBytes` (compressible like real JSON: repeated field names, small numbers, words
 * from a dictionary), no headers. The filter keeps tenant b: a third of the records.
 */
export class TenantRecordFactory extends RecordFactory {
  readonly #values: Buffer[][];
  readonly #base: bigint;

  constructor(valueBytes: number, records: number, baseTimestamp = BigInt(Date.now() - records - 1000)) {
    super(valueBytes, 0, baseTimestamp);
    this.#base = baseTimestamp;
    this.#values = TENANTS.map((tenant, t) => jsonPool(tenant, valueBytes, 0x7e4a + t));
  }

  tenantIndex(index: number, partitions: number): number {
    return Math.floor(index / partitions) % 3;
  }

  override record(topic: string, index: number, partitions: number): MessageToProduce {
    const t = this.tenantIndex(index, partitions);
    const customer = String(((index * 2654435761) >>> 0) % 100_000).padStart(5, '0');
    const pool = this.#values[t]!;
    return {
      topic,
      partition: index % partitions,
      timestamp: this.#base + BigInt(index),
      key: Buffer.from(`tenant-${TENANTS[t]}-${customer}`),
      value: pool[index % pool.length]!,
    };
  }

  /** Key (`tenant-x-NNNNN`) + value. */
  override get recordBytes(): number {
    return 14 + this.valueBytes;
  }

  override get filter(): BenchFilter {
    return { spec: { kind: 'key-prefix', prefix: 'tenant-b-' }, keyGrep: '^tenant-b-' };
  }

  override filteredCount(n: number, partitions: number): number {
    let count = 0;
    for (let i = 0; i < n; i++) if (this.tenantIndex(i, partitions) === 1) count++;
    return count;
  }
}

/** JSON orders of exactly `valueBytes` (padded in the note), about 4 MiB of distinct ones. */
function jsonPool(tenant: string, valueBytes: number, seed: number): Buffer[] {
  const random = mulberry32(seed);
  const words = Array.from({ length: 512 }, () =>
    Array.from({ length: 3 + Math.floor(random() * 7) }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join(''),
  );
  const statuses = ['created', 'paid', 'packed', 'shipped', 'delivered'];
  const count = Math.max(64, Math.ceil((4 * 1024 * 1024) / valueBytes / 3));
  return Array.from({ length: count }, (_, n) => {
    const items = Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
      sku: `SKU-${String(Math.floor(random() * 5000)).padStart(5, '0')}`,
      qty: 1 + Math.floor(random() * 5),
      price: Math.round(random() * 10_000) / 100,
    }));
    const order = { tenant, order: 1_000_000 + n, status: statuses[Math.floor(random() * statuses.length)], currency: 'EUR', items, note: '' };
    let note = '';
    const bare = JSON.stringify(order).length;
    while (bare + note.length < valueBytes) note += `${words[Math.floor(random() * words.length)]} `;
    order.note = note.slice(0, Math.max(0, valueBytes - bare));
    return Buffer.from(JSON.stringify(order), 'latin1');
  });
}

/** The profile's records: tenants' JSON orders, or the default text records. */
export function recordFactoryFor(profile: { tenants?: boolean; valueBytes: number; records: number }): RecordFactory {
  return profile.tenants ? new TenantRecordFactory(profile.valueBytes, profile.records) : new RecordFactory(profile.valueBytes, profile.records);
}

const TENANT = Buffer.from(RecordFactory.TENANT_HEADER);
const TRACE = Buffer.from('trace-id');
const A = Buffer.from('a');
const B = Buffer.from('b');

/** Enough distinct values that a compressor's 64 KiB window rarely sees a repeat (about 4 MiB). */
function valuePool(valueBytes: number): Buffer[] {
  const random = mulberry32(0x6b72);
  const dictionary = Array.from({ length: 1024 }, () => {
    const length = 3 + Math.floor(random() * 8);
    return Array.from({ length }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
  });
  const count = Math.max(64, Math.ceil((4 * 1024 * 1024) / valueBytes));
  return Array.from({ length: count }, () => {
    let text = '';
    while (text.length < valueBytes) text += `${dictionary[Math.floor(random() * dictionary.length)]} `;
    return Buffer.from(text.slice(0, valueBytes), 'latin1');
  });
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
