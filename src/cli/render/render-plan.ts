import { describeFilter } from '../../plan/filter/filter-spec.ts';
import type { Plan, PlanCheck, PlanPartition, PlanTopic } from '../../plan/plan.ts';
import { bytes, count, duration, table } from './format.ts';

/** The readable summary `kreroute plan` prints after writing the plan file. */
export function renderPlan(plan: Plan, planFile: string): string[] {
  const lines = [
    `Plan written to ${planFile} (hash ${plan.hash.slice(0, 12)})`,
    ...table([
      ['source', `cluster ${plan.source.clusterId} (${plan.source.bootstrap})`],
      ['destination', `cluster ${plan.destination.clusterId} (${plan.destination.bootstrap})`],
      [
        'range',
        plan.after
          ? `from the end of ${plan.after.planFile} (hash ${plan.after.planHash.slice(0, 12)}) → ${plan.range.to}`
          : `${plan.range.from} → ${plan.range.to}`,
      ],
      ['filter', plan.filter ? describeFilter(plan.filter) : 'none: every record in the range'],
      ['mapping', plan.mapping === 'same' ? 'same (source partition N → destination partition N)' : 'key-hash (destination partition from the key)'],
    ]),
  ];
  for (const topic of plan.topics) lines.push('', ...renderTopic(topic));
  lines.push('', totalLine(plan));
  lines.push(...renderChecks(plan.checks));
  return lines;
}

/**
 * Without --exact the bound is the offsets in the range, the sum of the partitions' `≤ N`; with a
 * filter, the share of them that matched a sample at each range's start is an estimate beside it.
 */
function totalLine(plan: Plan): string {
  const estimate = plan.estimate;
  const tail = `about ${bytes(estimate.bytes)}; estimated copy time ${duration(estimate.seconds)}`;
  if (estimate.exact) return `Total: ${count(estimate.records)} records (exact), ${tail}`;
  const matching = plan.filter ? `, about ${count(estimate.records)} of them matching the filter by a sample (use --exact to count)` : '';
  return `Total: at most ${count(upperBound(plan))} records (upper bound${plan.filter ? '' : '; use --exact to count'})${matching}, ${tail}`;
}

/** The sum of the partitions' bounds: never lower than what a partition shows. */
export function upperBound(plan: Plan): number {
  return plan.topics.reduce((sum, t) => sum + t.partitions.reduce((s, p) => s + p.upperBound, 0), 0);
}

function renderTopic(topic: PlanTopic): string[] {
  const header = `${topic.source} → ${topic.destination}  (${topic.sourcePartitions} → ${topic.destinationPartitions} partitions; destination max.message.bytes ${bytes(topic.destinationMaxMessageBytes)})${compressionNote(topic)}`;
  if (topic.partitions.length === 0) return [header, '  nothing to copy in this range'];
  const rows = [['partition', 'offsets [start, end)', 'records', 'size', 'time span', '→ partition']];
  for (const p of topic.partitions) rows.push(partitionRow(p));
  return [header, ...table(rows)];
}

/** Said when the destination fixes a codec: the copy's own batches then use it, whatever the source's. */
function compressionNote(topic: PlanTopic): string {
  const codec = topic.destinationCompression;
  if (!codec) return '';
  const type = codec === 'none' ? 'uncompressed' : codec;
  return `\n  destination compression.type=${type}: batches the copy builds are written ${codec === 'none' ? 'uncompressed' : codec} (the broker would recompress anything else)`;
}

function partitionRow(p: PlanPartition): string[] {
  const offsets = `${count(p.start)} … ${count(p.end)}`;
  const destination = p.destinationPartition === null ? 'by key' : String(p.destinationPartition);
  if (p.exact === null) return [String(p.partition), offsets, `≤ ${count(p.upperBound)}`, '?', '?', destination];
  const others = p.exact.otherRecords > 0 ? ` (+${count(p.exact.otherRecords)} others)` : '';
  const span = timeSpan(p.exact.minTimestamp, p.exact.maxTimestamp);
  return [String(p.partition), offsets, `${count(p.exact.records)}${others}`, bytes(p.exact.bytes), span, destination];
}

/** `2026-11-25 15:03:28 … 15:03:37 UTC` (the date once when both ends share it). */
function timeSpan(min: string | null, max: string | null): string {
  if (min === null || max === null) return '-';
  const iso = (ms: string) => {
    const date = new Date(Number(ms));
    return Number.isNaN(date.getTime()) ? ms.padEnd(19) : date.toISOString().slice(0, 19).replace('T', ' ');
  };
  const [from, to] = [iso(min), iso(max)];
  return from.slice(0, 10) === to.slice(0, 10) ? `${from} … ${to.slice(11)} UTC` : `${from} … ${to} UTC`;
}

export function renderChecks(checks: PlanCheck[]): string[] {
  if (checks.length === 0) return ['Checks: none raised'];
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...checks].sort((a, b) => order[a.level] - order[b.level]);
  const rows = sorted.map((c) => [c.level, c.code, `${where(c)}${c.message}`]);
  const errors = checks.filter((c) => c.level === 'error').length;
  const lines = ['Checks:', ...table(rows)];
  if (errors > 0)
    lines.push(`${errors === 1 ? 'One check is an error' : `${errors} checks are errors`}: fix ${errors === 1 ? 'it' : 'them'} and plan again before copying.`);
  return lines;
}

function where(check: PlanCheck): string {
  if (check.topic === undefined) return '';
  return check.partition === undefined ? `${check.topic}: ` : `${check.topic}[${check.partition}]: `;
}
