import { LATE_WRITES_CAP_PER_PARTITION, type LateWrites } from '../../plan/late-writes.ts';
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

export function renderStatus(status: JobStatus, planFile: string, lateWrites: LateWrites | null = null): string[] {
  return [...copyLines(status, planFile), ...lateWriteLines(lateWrites)];
}

/** The warning's text: the tenant is still writing to the wrong cluster. */
export function describeLateWrites(late: LateWrites, planFile: string): string {
  const atLeast = late.capped ? 'at least ' : '';
  return (
    `${atLeast}${count(late.records)} matching records reached the source after the plan's end: the tenant is still writing to the wrong cluster; ` +
    `redirect its producers, then move them with \`kreroute plan --after ${planFile}\` or \`kreroute reroute --follow\``
  );
}

function lateWriteLines(late: LateWrites | null): string[] {
  if (late === null) return [];
  if (late.records === 0)
    return [`Late writes: none (no matching record reached the source after the plan's end${late.capped ? ' in the offsets read' : ''}).`];
  const time = (ms: string | null) => (ms === null ? '?' : new Date(Number(ms)).toISOString());
  const rows = late.topics
    .filter((t) => t.records > 0)
    .map((t) => [t.topic, `${t.capped ? '≥ ' : ''}${count(t.records)} records`, `${time(t.firstTimestamp)} … ${time(t.lastTimestamp)}`]);
  const lines = [`Late writes: ${late.capped ? 'at least ' : ''}${count(late.records)} matching records after the plan's end:`, ...table(rows)];
  if (late.capped)
    lines.push(`(read at most ${count(LATE_WRITES_CAP_PER_PARTITION)} offsets of each partition after the plan's end: the counts are lower bounds)`);
  return lines;
}

function copyLines(status: JobStatus, planFile: string): string[] {
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
