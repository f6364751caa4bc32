import type { CopySummary } from '../../copy/copy-plan.ts';
import type { CopyStats } from '../../copy/copy-stats.ts';
import type { WorkersSummary } from '../../workers/workers-summary.ts';
import { bytes, count, duration, plural, rate } from './format.ts';

const MODE: Record<CopySummary['mode'], string> = {
  'exactly-once': 'exactly-once (each transaction carries the data and the checkpoint)',
  'at-least-once': 'at-least-once with reconciliation (idempotent producer, local checkpoint)',
  auto: 'mode chosen automatically',
};

/**
 * How the written batches were made, each kind once: `  Batches: 56 filtered (66,667 records),
 * 3 joined from 12 (1,200 records); built ones compressed lz4 (59).`
 */
export function renderBatches(stats: CopyStats): string[] {
  const parts: string[] = [];
  const records = (n: number) => ` (${count(n)} records)`;
  if (stats.forwardedBatches > 0) parts.push(`${count(stats.forwardedBatches)} forwarded as fetched${records(stats.forwardedRecords)}`);
  if (stats.filteredBatches > 0) parts.push(`${count(stats.filteredBatches)} filtered${records(stats.filteredRecords)}`);
  if (stats.joinedBatches > 0) parts.push(`${count(stats.joinedBatches)} joined from ${count(stats.mergedBatches)}${records(stats.joinedRecords)}`);
  if (stats.reencodedBatches > 0) parts.push(`${count(stats.reencodedBatches)} re-encoded${records(stats.reencodedRecords)}`);
  if (parts.length === 0) return [];
  const codecs = Object.entries(stats.builtCodecs).map(([codec, n]) => `${codec === 'none' ? 'uncompressed' : codec} (${count(n)})`);
  const built = codecs.length > 0 ? `; built ones written ${codecs.join(', ')}` : '';
  return [`  Batches: ${parts.join(', ')}${built}.`];
}

export function renderCopy(summary: CopySummary | WorkersSummary, planFile: string): string[] {
  const shards = 'shards' in summary ? summary.shards : null;
  if (summary.alreadyComplete) {
    const where = shards ? 'every shard' : 'every partition';
    return [`Copy already complete: the checkpoint shows ${where} done; nothing was written.`, `Next: kreroute verify ${planFile}`];
  }
  const speed = summary.seconds > 0 ? `, ${rate(summary.records / summary.seconds, 'records')}` : '';
  const by = 'workers' in summary ? ` with ${plural(summary.workers, 'worker')}` : '';
  const lines = [`Copied ${count(summary.records)} records (${bytes(summary.bytes)}) in ${duration(summary.seconds)}${speed}${by}, ${MODE[summary.mode]}.`];
  for (const { shard, summary: part } of shards ?? []) {
    const label = shard === 'whole' ? 'the whole plan' : `shard ${shard}`;
    lines.push(
      part.alreadyComplete
        ? `  ${label}: already copied`
        : `  ${label}: ${count(part.records)} records (${bytes(part.bytes)}) in ${duration(part.seconds)}${part.resumed ? ', resumed' : ''}`,
    );
  }
  lines.push(...renderBatches(summary.stats));
  if (summary.resumed) {
    lines.push(
      summary.reconciled > 0
        ? `  Resumed from the checkpoint: ${count(summary.reconciled)} records written by the interrupted run were found on the destination and not written again.`
        : '  Resumed from the checkpoint.',
    );
  }
  lines.push(`Next: kreroute verify ${planFile}`);
  return lines;
}
