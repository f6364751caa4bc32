import { fixed, times } from './render.ts';
import type { Summary } from './stats.ts';

const KREROUTE_JOB = 'kreroute-job';
const KCAT_JOBS = ['kcat-job', 'kcat-topic-job'];
/** What kreroute's job should cost, in time, next to its copy alone. */
const TARGETS = { job: 2.5, plan: 0.5, verify: 1 };

/**
 * The jobs' table (tools that ran in steps): each step's median wall time, CPU and peak RSS, and
 * kreroute's job against kcat's and against its own copy. Empty when no job ran.
 */
export function renderJobTable(summaries: Summary[], profileLabels: Map<string, string>): string {
  const jobs = summaries.filter((s) => s.steps !== undefined);
  if (jobs.length === 0) return '';
  const stepNames = [...new Set(jobs.flatMap((s) => s.steps!.map((step) => step.name)))];
  const header = [
    'profile',
    'tool',
    'runs',
    'total s',
    ...stepNames.map((n) => `${n} s`),
    'CPU s by step',
    'peak RSS MB by step',
    'vs kcat job',
    `job ÷ kreroute copy (≤ ${TARGETS.job}×)`,
    `plan ÷ copy (≤ ${TARGETS.plan}×)`,
    `verify ÷ copy (≤ ${TARGETS.verify}×)`,
  ];
  const rows = jobs.map((s) => {
    const steps = s.steps!;
    const step = (name: string) => steps.find((x) => x.name === name);
    const wall = (name: string) => step(name)?.wallSeconds ?? Number.NaN;
    return [
      profileLabels.get(s.profile) ?? s.profile,
      s.tool,
      s.failed > 0 ? `${s.runs - s.failed}/${s.runs} ok` : String(s.runs),
      fixed(s.wallSeconds, 1),
      ...stepNames.map((n) => (step(n) ? fixed(wall(n), 1) : '')),
      steps.map((x) => fixed(x.cpuSeconds, 1)).join(' / '),
      steps.map((x) => fixed(x.peakRssMb, 0)).join(' / '),
      ...(s.tool === KREROUTE_JOB
        ? krerouteRatios(
            s,
            summaries.filter((p) => p.profile === s.profile),
            wall,
          )
        : ['', '', '', '']),
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i < 2 ? '---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

function krerouteRatios(job: Summary, peers: Summary[], wall: (step: string) => number): string[] {
  const kcatJobs = peers.filter((p) => KCAT_JOBS.includes(p.tool) && Number.isFinite(p.recordsPerSec));
  const fastest = kcatJobs.sort((a, b) => b.recordsPerSec - a.recordsPerSec)[0];
  const copyAlone = peers.find((p) => p.tool === 'kreroute')?.wallSeconds ?? Number.NaN;
  return [
    fastest ? `${times(job.recordsPerSec / fastest.recordsPerSec)} (${fastest.tool})` : '–',
    againstTarget(job.wallSeconds / copyAlone, TARGETS.job),
    againstTarget(wall('plan') / wall('copy'), TARGETS.plan),
    againstTarget(wall('verify') / wall('copy'), TARGETS.verify),
  ];
}

function againstTarget(ratio: number, target: number): string {
  return ratio > target ? `${times(ratio)} ✗` : times(ratio);
}

export const JOB_TABLE_NOTES = [
  "Jobs: tools that run in steps, each step a process of its own, timed by itself; total s (and the jobs' row in the table above) is the steps' sum. kreroute-job: plan --exact, copy, verify. kcat-job and kcat-topic-job: the kcat copy, then the check (both sides dumped with kcat and digested with SHA-256; key and value only). CPU s and peak RSS MB by step: in the order the steps ran.",
  "vs kcat job: kreroute-job's msgs/s ÷ the faster kcat job's (named; above 1× = kreroute's job faster). job ÷ kreroute copy: kreroute-job's total wall ÷ the `kreroute` tool's copy alone. plan ÷ copy, verify ÷ copy: the job's own steps. ✗: over the target.",
];
