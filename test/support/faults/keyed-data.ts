import { randomBytes } from 'node:crypto';
import { kcatProduce } from '../kcat.ts';
import { type PartitionValues, kcatValues } from './oracle.ts';

export interface KeyedLoad {
  partitions: number;
  perPartition: number;
  valueBytes: number;
  /** Batches compressed by the producer (kcat, librdkafka) with lz4. */
  lz4: boolean;
  /** Values padded with random characters instead of dots. */
  incompressible: boolean;
  /** Share of records whose key starts with "a:" (the tenant a filter selects); the rest "b:". */
  tenantShare: number;
}

/**
 * Writes keyed records with kcat: value "v-p<partition>-<n>-" padded to valueBytes (unique, so the
 * oracle can follow each one), key "a:<n mod 997>" for a `tenantShare` of them, else "b:<n mod 997>".
 */
export async function loadKeyed(bootstrap: string, topic: string, load: KeyedLoad): Promise<void> {
  for (let p = 0; p < load.partitions; p++) {
    const lines: string[] = [];
    for (let n = 0; n < load.perPartition; n++) {
      const tenant = (n * 7919) % 1000 < load.tenantShare * 1000 ? 'a' : 'b';
      const head = `v-p${p}-${n}-`;
      const pad = load.valueBytes - head.length;
      const padding = load.incompressible
        ? randomBytes(Math.ceil((pad * 3) / 4) + 3)
            .toString('base64')
            .slice(0, pad)
        : '.'.repeat(Math.max(0, pad));
      lines.push(`${tenant}:${n % 997}\t${head}${padding}`);
    }
    await kcatProduce(bootstrap, topic, lines, ['-p', String(p), ...(load.lz4 ? ['-z', 'lz4'] : []), '-X', 'linger.ms=20']);
  }
}

/** What the source holds per partition (kcat, read_committed), only the values whose key starts with `prefix`. */
export async function kcatTenantValues(bootstrap: string, topic: string, partitions: number, prefix: string | null): Promise<PartitionValues> {
  const result: PartitionValues = new Map();
  for (let p = 0; p < partitions; p++) {
    const lines = await kcatValues(bootstrap, topic, p, { format: '%k\\t%s' });
    result.set(
      p,
      lines.filter((line) => prefix === null || line.startsWith(prefix)).map((line) => line.slice(line.indexOf('\t') + 1)),
    );
  }
  return result;
}
