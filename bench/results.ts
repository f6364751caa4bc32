import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchOptions } from './options.ts';
import type { MachineInfo } from './machine.ts';
import type { SourceState } from './source-state.ts';
import { TABLE_NOTES, renderTable } from './render.ts';
import { JOB_TABLE_NOTES, renderJobTable } from './render-jobs.ts';
import { type RunRecord, type Summary, summarize } from './stats.ts';

export interface ProfileFacts {
  name: string;
  label: string;
  records: number;
  valueBytes: number;
  /** Key + value + header bytes of one record. */
  recordBytes: number;
  topicConfigs: Record<string, string>;
  loadSeconds: number;
  /** Size of the source topic's log files: shows what compression did. */
  sourceBytesOnDisk: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  options: BenchOptions;
  machine: MachineInfo;
  brokers: { heap: string; kafka: string };
  kreroute: SourceState;
  tools: Record<string, string>;
  profiles: ProfileFacts[];
  runs: RunRecord[];
  /** Failures outside a tool's run, e.g. loading a profile. */
  errors: string[];
  summaries: Summary[];
}

export function withSummaries(results: Omit<BenchResults, 'summaries'>): BenchResults {
  return { ...results, summaries: summarize(results.runs) };
}

export function renderMarkdown(results: BenchResults): string {
  const labels = new Map(results.profiles.map((p) => [p.name, p.label]));
  const jobTable = renderJobTable(results.summaries, labels);
  const m = results.machine;
  const measured = results.runs.filter((r) => Number.isFinite(r.otherCpuSeconds) && Number.isFinite(r.windowSeconds));
  const otherShare = measured.reduce((s, r) => s + r.otherCpuSeconds, 0) / measured.reduce((s, r) => s + r.windowSeconds * m.cores, 0);
  const noisiest = Math.max(0, ...measured.map((r) => r.otherCpuSeconds / (r.windowSeconds * m.cores)));
  const background = Number.isFinite(otherShare)
    ? `Background load: other processes used ${(otherShare * 100).toFixed(1)}% of the machine's CPU during the runs (at most ${(noisiest * 100).toFixed(1)}% in one run)` +
      (otherShare > 0.05 ? ' — the machine was not quiet; treat these numbers as noisy.' : '.')
    : '';
  const profileLines = results.profiles.map(
    (p) =>
      `- ${p.label}: ${p.records.toLocaleString('en-US')} records of ${p.recordBytes} B (key + value + headers), ` +
      `${(p.sourceBytesOnDisk / 1e6).toFixed(0)} MB on the source disk, loaded in ${p.loadSeconds.toFixed(1)} s`,
  );
  return [
    `# kreroute benchmark, ${results.startedAt}${results.complete ? '' : ' (incomplete)'}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}; Node ${m.node}; ${m.java}; kcat ${m.kcat}.`,
    `Brokers: one source and one destination Kafka ${results.brokers.kafka} (KRaft, single node each, heap ${results.brokers.heap}) on the same machine.`,
    `Options: runs=${results.options.runs}${results.options.quick ? ', quick' : ''}, kreroute driver=${results.options.kreroute}.`,
    background,
    `kreroute: commit ${results.kreroute.commit.slice(0, 12)}` +
      (results.kreroute.changedSourceFiles.length > 0
        ? ` with ${results.kreroute.changedSourceFiles.length} uncommitted file(s) under src/.`
        : ', clean src/.'),
    '',
    ...profileLines,
    ...results.errors.map((e) => `- FAILED: ${e}`),
    '',
    renderTable(results.summaries, labels),
    '',
    ...TABLE_NOTES.map((n) => `- ${n}`),
    ...(jobTable ? ['', jobTable, '', ...JOB_TABLE_NOTES.map((n) => `- ${n}`)] : []),
    '',
    'Tools:',
    ...Object.entries(results.tools).map(([name, summary]) => `- ${name}: ${summary}`),
    '',
  ].join('\n');
}

export async function writeResults(dir: string, stamp: string, results: BenchResults): Promise<{ json: string; md: string }> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, `${stamp}.json`);
  const md = path.join(dir, `${stamp}.md`);
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(md, renderMarkdown(results));
  return { json, md };
}
