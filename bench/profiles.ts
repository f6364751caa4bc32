/** One data set: what the source topic holds and how it was written. */
export interface Profile {
  name: string;
  records: number;
  valueBytes: number;
  partitions: number;
  /** Topic configs of the source topic; every destination topic gets the same. */
  topicConfigs: Record<string, string>;
  /** The listener the copies go over: SASL_SSL with SCRAM-SHA-512 (see sasl-ssl.ts); default PLAINTEXT. */
  listener?: 'SASL_SSL';
  /** Records of three tenants (JSON orders keyed by tenant; see TenantRecordFactory) instead of the text records. */
  tenants?: boolean;
  /** Topic configs of every destination topic, when not the source's. */
  destinationConfigs?: Record<string, string>;
}

const PARTITIONS = 8;

const FULL: Profile[] = [
  { name: '1kib', records: 1_000_000, valueBytes: 1024, partitions: PARTITIONS, topicConfigs: {} },
  // The broker recompresses every write to an lz4 topic, so the source holds lz4 batches.
  { name: '1kib-lz4', records: 1_000_000, valueBytes: 1024, partitions: PARTITIONS, topicConfigs: { 'compression.type': 'lz4' } },
  { name: '100b', records: 5_000_000, valueBytes: 100, partitions: PARTITIONS, topicConfigs: {} },
  { name: '10kib', records: 100_000, valueBytes: 10 * 1024, partitions: PARTITIONS, topicConfigs: {} },
  // The usual filtered job: one tenant of three out of a topic the broker stores compressed, into a
  // destination that keeps the producer's codec (Kafka's default): run kreroute-filter and kcat-grep.
  ...(['lz4', 'zstd'] as const).map((codec) => ({
    name: `tenants-${codec}`,
    records: 1_000_000,
    valueBytes: 512,
    partitions: PARTITIONS,
    topicConfigs: { 'compression.type': codec },
    destinationConfigs: { 'compression.type': 'producer' },
    tenants: true,
  })),
  // As 1kib, with both ends over SASL_SSL (SCRAM-SHA-512): the cost of TLS and of authentication.
  { name: '1kib-sasl-ssl', records: 1_000_000, valueBytes: 1024, partitions: PARTITIONS, topicConfigs: {}, listener: 'SASL_SSL' },
];

/** `--quick` divides every count by this. */
export const QUICK_DIVISOR = 10;

export function allProfiles(quick: boolean): Profile[] {
  return quick ? FULL.map((p) => ({ ...p, records: Math.floor(p.records / QUICK_DIVISOR) })) : FULL;
}

export function profileNames(): string[] {
  return FULL.map((p) => p.name);
}

/** "1M × 1 KiB, lz4" */
export function describeProfile(p: Profile): string {
  const count =
    p.records >= 1e6 && p.records % 1e5 === 0 ? `${p.records / 1e6}M` : p.records >= 1e3 && p.records % 1e3 === 0 ? `${p.records / 1e3}k` : String(p.records);
  const size = p.valueBytes % 1024 === 0 ? `${p.valueBytes / 1024} KiB` : `${p.valueBytes} B`;
  const compression = p.topicConfigs['compression.type'];
  return `${count} × ${size}${p.tenants ? ' JSON, 3 tenants' : ''}${compression ? `, ${compression}` : ''}${p.listener ? `, ${p.listener} SCRAM-SHA-512` : ''}`;
}
