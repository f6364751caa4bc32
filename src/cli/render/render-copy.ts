import type { CopySummary } from '../../copy/copy-plan.ts';
import type { WorkersSummary } from '../../workers/workers-summary.ts';
import { bytes, count, duration, plural, rate } from './format.ts';

const MODE: Record<CopySummary['mode'], string> = {
  'exactly-once': 'exactly-once (each transaction carries the data and the checkpoint)',
  'at-least-once': 'at-least-once with reconciliation (idempotent producer, local checkpoint)',
  auto: 'mode chosen automatically',
};

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
  const { forwardedBatches, forwardedRecords, reencodedRecords } = summary.stats;
  if (forwardedBatches > 0) {
    lines.push(`  ${count(forwardedRecords)} records forwarded in ${count(forwardedBatches)} batches as fetched; ${count(reencodedRecords)} re-encoded.`);
  }
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
