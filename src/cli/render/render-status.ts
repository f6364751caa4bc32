import type { JobStatus, PartStatus } from '../../shard/job-status.ts';
import { count, duration, rate, table } from './format.ts';

function progressOf(part: { copied: number; planned: number }): string {
  const share = part.planned > 0 ? ` (${Math.min(100, Math.floor((100 * part.copied) / part.planned))}%)` : '';
  return `${count(part.copied)} of ~${count(part.planned)} records${share}`;
}

function row(part: PartStatus): string[] {
  const name = part.shard ? `shard ${part.shard.index}/${part.shard.count}` : 'whole plan';
  const speed = part.ratePerSec !== null ? rate(part.ratePerSec, 'records') : '';
  const eta = part.etaSeconds !== null && part.state === 'copying' ? `ETA ${duration(part.etaSeconds)}` : '';
  const since = part.state === 'stopped' && part.updatedAt ? `last checkpoint ${part.updatedAt}` : '';
  return [name, part.state, part.state === 'waiting' ? 'not started' : progressOf(part), speed, eta || since, part.mode ?? ''];
}

export function renderStatus(status: JobStatus, planFile: string): string[] {
  if (status.layout === 'none')
    return [`No copy of this plan has started (nothing on the destination or in the state folder).`, `Next: kreroute copy ${planFile}`];
  const lines = table(status.parts.map(row));
  const { total } = status;
  const speed = total.ratePerSec !== null ? `, ${rate(total.ratePerSec, 'records')}` : '';
  const eta = total.done ? '' : total.etaSeconds !== null ? `, ETA ${duration(total.etaSeconds)}` : ', ETA unknown (a shard is not running)';
  lines.push(`Total: ${progressOf(total)}${speed}${eta}.`);
  lines.push(total.done ? `Next: kreroute verify ${planFile}` : 'Copiers of stopped or waiting shards resume with the same command.');
  return lines;
}
