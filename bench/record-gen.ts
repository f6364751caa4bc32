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

  /** How many of records 0..n-1 carry tenant=a. */
  tenantACount(n: number, partitions: number): number {
    let count = 0;
    for (let i = 0; i < n; i++) if (this.tenantOf(i, partitions) === 'a') count++;
    return count;
  }
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
