import type { PurgeReport } from '../../purge/purge-plan.ts';
import { count, table } from './format.ts';

export function renderPurge(report: PurgeReport): string[] {
  const records = report.partitions.reduce((sum, p) => sum + p.records, 0);
  const partitions = report.partitions.length;
  if (partitions === 0) return ['Purge: nothing to delete.'];
  const title = report.dryRun
    ? `Purge (dry run): would delete ${count(records)} records from ${partitions} source partitions. Nothing was deleted.`
    : `Purge done: deleted ${count(records)} records from ${partitions} source partitions.`;
  const rows = report.partitions.map((p) => [
    `${p.topic}[${p.partition}]`,
    `${count(p.records)} records`,
    `log start ${count(p.logStartBefore)} → ${p.logStartAfter === null ? `${count(p.deleteBefore)} (would be)` : count(p.logStartAfter)}`,
  ]);
  const lines = [title, ...table(rows)];
  if (report.dryRun) lines.push('Run the same command with --execute to delete them.');
  return lines;
}
