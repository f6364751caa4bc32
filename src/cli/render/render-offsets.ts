import type { OffsetsReport, TranslatedPartition } from '../../offsets/offsets-report.ts';
import { count, plural, table } from './format.ts';

function sourceSide(p: TranslatedPartition): string {
  return p.sourceCommitted.map((c) => `${p.sourceTopic}[${c.partition}]@${c.offset ?? 'none'}`).join(' ');
}

function effect(p: TranslatedPartition): string {
  const replay = p.replayedRecords > 0 ? `, ${plural(p.replayedRecords, 'copied record')} seen twice` : '';
  if (p.copiedRecords === 0) return 'nothing copied here: left as it is';
  if (p.move === 'new') return `new offset${replay}`;
  if (p.move === 'none') return `unchanged${replay}`;
  const moved = BigInt(p.offsetsMoved!);
  return p.move === 'forward' ? `skips ${count(moved)} offsets${replay}` : `replays ${count(-moved)} offsets${replay}`;
}

const HEADER = ['source@committed', 'destination', 'offset now', 'continues at', 'copies consumed', 'the move'];

function row(p: TranslatedPartition): string[] {
  return [
    sourceSide(p),
    `${p.destinationTopic}[${p.destinationPartition}]`,
    p.destinationCommitted ?? 'none',
    p.translated,
    `${count(p.consumedRecords)} of ${count(p.copiedRecords)}`,
    effect(p),
  ];
}

export function renderOffsets(report: OffsetsReport, planFile: string): string[] {
  const lines: string[] = [];
  for (const group of report.groups) {
    const state = group.committed ? 'committed on the destination' : report.execute ? 'nothing to commit' : 'dry run, nothing committed';
    lines.push(`Group ${group.group} (${state}):`);
    lines.push(...table([HEADER, ...group.partitions.map(row)]));
  }
  if (!report.execute) lines.push(`Next: kreroute offsets ${planFile} ${report.groups.map((g) => `--group ${g.group}`).join(' ')} --execute`);
  return lines;
}
