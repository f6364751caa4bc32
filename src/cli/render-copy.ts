import type { CopySummary } from '../copy/copy-plan.ts';
import { bytes, count, duration, rate } from './format.ts';

const MODE: Record<CopySummary['mode'], string> = {
  'exactly-once': 'exactly-once (each transaction carries the data and the checkpoint)',
  'at-least-once': 'at-least-once with reconciliation (idempotent producer, local checkpoint)',
  auto: 'mode chosen automatically',
};

export function renderCopy(summary: CopySummary, planFile: string): string[] {
  if (summary.alreadyComplete) {
    return [`Copy already complete: the checkpoint shows every partition done; nothing was written.`, `Next: kreroute verify ${planFile}`];
  }
  const speed = summary.seconds > 0 ? `, ${rate(summary.records / summary.seconds, 'records')}` : '';
  const lines = [`Copied ${count(summary.records)} records (${bytes(summary.bytes)}) in ${duration(summary.seconds)}${speed}, ${MODE[summary.mode]}.`];
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
