import type { RecordContent } from '../kafka/wire/record.ts';

export const DEMO_TENANTS = ['tenant-a', 'tenant-b', 'tenant-c'] as const;
/** The tenant the demo moves. */
export const MOVED_TENANT = 'tenant-b';

const text = (s: string) => Buffer.from(s, 'utf8');

function header(tenant: string): Array<readonly [Buffer, Buffer | null]> {
  return [[text('tenant'), text(tenant)]];
}

/** FNV-1a, enough to spread the demo's keys over partitions deterministically. */
function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of text(key)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % partitions;
}

function order(tenant: string, n: number, timestamp: bigint): { key: string; record: RecordContent } {
  const key = `${tenant}:order-${n}`;
  const value = { tenant, order: n, amount: Math.round(((n * 7919) % 100_000) / 10) / 100, currency: 'EUR', items: 1 + (n % 5) };
  return { key, record: { timestamp, key: text(key), value: text(JSON.stringify(value)), headers: header(tenant) } };
}

/**
 * The demo's `orders` topic: the tenants' orders interleaved (so they share every partition's
 * offset range), plus for the moved tenant one tombstone (a deleted order) and one binary value.
 */
export function ordersByPartition(perTenant: number, partitions: number, startMs: bigint): Map<number, RecordContent[]> {
  const byPartition = new Map<number, RecordContent[]>();
  const add = (key: string, record: RecordContent) => {
    const partition = partitionOf(key, partitions);
    const list = byPartition.get(partition) ?? [];
    list.push(record);
    byPartition.set(partition, list);
  };
  let clock = startMs;
  for (let n = 1; n <= perTenant; n++) {
    for (const tenant of DEMO_TENANTS) {
      const { key, record } = order(tenant, n, clock++);
      add(key, record);
    }
  }
  const deleted = `${MOVED_TENANT}:order-7`;
  add(deleted, { timestamp: clock++, key: text(deleted), value: null, headers: header(MOVED_TENANT) });
  const blobKey = `${MOVED_TENANT}:invoice-pdf-1`;
  const blob = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) & 0xff));
  add(blobKey, {
    timestamp: clock++,
    key: text(blobKey),
    value: blob,
    headers: [...header(MOVED_TENANT), [text('content-type'), text('application/octet-stream')]],
  });
  return byPartition;
}

/** The `tenant-b-audit` topic: every record belongs to the moved tenant. */
export function auditByPartition(count: number, partitions: number, startMs: bigint): Map<number, RecordContent[]> {
  const byPartition = new Map<number, RecordContent[]>();
  for (let n = 1; n <= count; n++) {
    const key = `${MOVED_TENANT}:audit-${n}`;
    const value = { tenant: MOVED_TENANT, event: n % 3 === 0 ? 'refund' : 'login', seq: n };
    const list = byPartition.get(partitionOf(key, partitions)) ?? [];
    list.push({ timestamp: startMs + BigInt(n), key: text(key), value: text(JSON.stringify(value)), headers: header(MOVED_TENANT) });
    byPartition.set(partitionOf(key, partitions), list);
  }
  return byPartition;
}

export function recordCount(byPartition: Map<number, RecordContent[]>): number {
  return [...byPartition.values()].reduce((sum, records) => sum + records.length, 0);
}
