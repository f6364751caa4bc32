import type { PartitionVerdict, RecordRef, VerifyReport } from '../../verify/report.ts';
import { count, table, timestamp } from './format.ts';

export function renderVerify(report: VerifyReport, planFile: string): string[] {
  const failed = report.partitions.filter((p) => !p.passed);
  const total = report.partitions.length;
  const lines = [
    report.passed
      ? `Verification PASSED: all ${total} destination partitions hold exactly the planned records, in order.`
      : `Verification FAILED: ${failed.length} of ${total} destination partitions differ from the source.`,
  ];
  lines.push(...table(report.partitions.map(verdictRow)));
  for (const verdict of failed) lines.push(...renderMismatch(verdict));
  for (const verdict of report.partitions.filter((p) => p.foreignRecords > 0)) {
    const twice = verdict.duplicates?.records ?? 0;
    const which =
      verdict.duplicates === undefined
        ? 'not compared'
        : twice > 0
          ? 'copies of planned records among them are named above'
          : 'none is a copy of a planned record';
    lines.push(`  note: ${partitionName(verdict)} has ${count(verdict.foreignRecords)} records from another producer inside the copied range (${which}).`);
  }
  for (const topic of report.timestampsNotCompared) {
    lines.push(
      `  note: timestamps on ${topic} were not compared: the topic stamps records with the time of the copy (LogAppendTime, accepted by the plan); key, value, headers, order and counts were.`,
    );
  }
  const others = report.otherRecords.filter((o) => o.count > 0);
  if (others.length > 0) {
    lines.push(`Records in the copied ranges that the filter did not match (other tenants; they stay on the source):`);
    lines.push(...table(others.map((o) => [`${o.topic}[${o.partition}]`, count(o.count)])));
  }
  if (!report.passed) lines.push('Do not purge. Inspect the differences above; see docs/errors.md (VERIFY_FAILED).');
  else if (others.length > 0)
    lines.push("Purge would be refused: other tenants' records share these offset ranges. The tenant's old copies leave the source with its retention.");
  else lines.push(`Next: kreroute purge ${planFile} (a dry run; add --execute to delete)`);
  return lines;
}

function partitionName(v: PartitionVerdict): string {
  return `${v.destinationTopic}[${v.destinationPartition}]`;
}

function verdictRow(v: PartitionVerdict): string[] {
  const source = `${v.sourceTopic}[${v.sourcePartitions.join(',')}]`;
  const twice = v.duplicates?.records ? `, ${count(v.duplicates.records)} twice` : '';
  const counts = `${v.sourceCount === v.destinationCount ? `${count(v.sourceCount)} records` : `source ${count(v.sourceCount)}, destination ${count(v.destinationCount)}`}${twice}`;
  return [`${source} → ${partitionName(v)}`, v.passed ? 'pass' : 'FAIL', counts, `digest ${v.destinationDigest.slice(0, 12)}`];
}

function renderMismatch(v: PartitionVerdict): string[] {
  const copiesDiffer = v.sourceCount !== v.destinationCount || v.sourceDigest !== v.destinationDigest || (v.differingKeys?.length ?? 0) > 0;
  const lines =
    copiesDiffer || !v.duplicates?.records
      ? [
          `  ${partitionName(v)}: ${v.firstDivergence === null ? 'the digests differ' : `first difference at record position ${count(v.firstDivergence)} (0-based, in copy order)`}`,
        ]
      : [];
  lines.push(...renderDuplicates(v));
  const list = (title: string, refs: RecordRef[]) => {
    if (refs.length === 0) return;
    lines.push(`    ${title}:`);
    for (const ref of refs) lines.push(`      ${describeRef(ref)}`);
  };
  list('missing on the destination (source records)', v.missing);
  list('extra on the destination', v.extra);
  if (v.differingKeys && v.differingKeys.length > 0) {
    lines.push(`    keys whose records differ: ${v.differingKeys.map((k) => JSON.stringify(k)).join(', ')}`);
  }
  if (v.altered.length > 0) {
    lines.push('    altered (same position, different content):');
    for (const a of v.altered) lines.push(`      ${describeRef(a.source)}  ≠  ${describeRef(a.destination)}`);
  }
  return lines;
}

function renderDuplicates(v: PartitionVerdict): string[] {
  const found = v.duplicates;
  if (!found || found.records === 0) return [];
  const lines = [
    `  ${partitionName(v)}: ${count(found.records)} planned ${found.records === 1 ? 'record is' : 'records are'} here twice: copies other producers wrote besides the copy's own (searched from offset ${found.searchedFrom}):`,
  ];
  for (const e of found.examples) {
    const more = e.copies - e.planned > e.otherCopiesAt.length ? ', …' : '';
    lines.push(`      ${describeRef(e.source)}  ${e.copies} times (planned ${e.planned}); other copies at offsets ${e.otherCopiesAt.join(', ')}${more}`);
  }
  return lines;
}

function describeRef(ref: RecordRef): string {
  return `${ref.topic}[${ref.partition}]@${ref.offset} key=${ref.key === null ? '(null)' : JSON.stringify(ref.key)} time=${timestamp(ref.timestamp)}`;
}
