import type { ToolResult } from './tools/tool.ts';

/** One run of one tool on one profile, as kept in the results. */
export interface RunRecord extends ToolResult {
  profile: string;
  tool: string;
  run: number;
  /** CPU the source and destination brokers used during the run. */
  brokerCpuSeconds: number;
  /** CPU that other processes on the machine used during the run: background noise. */
  otherCpuSeconds: number;
  /** Length of the run's whole window (topic set-up, plan, tool, clean-up) that otherCpuSeconds covers. */
  windowSeconds: number;
  error?: string;
}

/** Medians over the good runs of one tool on one profile. */
export interface Summary {
  profile: string;
  tool: string;
  runs: number;
  failed: number;
  wallSeconds: number;
  recordsPerSec: number;
  /** The fastest run's msgs/s: on a busy machine, the run least disturbed by others. */
  bestRecordsPerSec: number;
  /** Records per second after the first record reached the destination (start-up left out). */
  steadyRecordsPerSec: number;
  mbPerSec: number;
  cpuSeconds: number;
  cpuSecondsPerGb: number;
  peakRssMb: number;
  brokerCpuSeconds: number;
  otherCpuSeconds: number;
  firstRecordSeconds: number | null;
  /** A job's steps in the order they ran, each figure its own median over the good runs. */
  steps?: StepSummary[];
}

export interface StepSummary {
  name: string;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

export function steadyRate(run: RunRecord): number {
  if (run.steadyRecordsPerSec !== undefined) return run.steadyRecordsPerSec;
  if (run.firstRecordSeconds === null || run.wallSeconds <= run.firstRecordSeconds) return Number.NaN;
  return run.records / (run.wallSeconds - run.firstRecordSeconds);
}

export function isGood(run: RunRecord): boolean {
  return run.error === undefined && (run.outcome === 'exited' || run.outcome === 'reached-target');
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function max(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length > 0 ? Math.max(...finite) : Number.NaN;
}

/** Per-metric medians (each metric's own median, not the metrics of the median run). */
export function summarize(runs: RunRecord[]): Summary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const key = `${run.profile}\u0000${run.tool}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((all) => {
    const good = all.filter(isGood);
    const m = (f: (r: RunRecord) => number) => median(good.map(f));
    const firsts = good.map((r) => r.firstRecordSeconds).filter((v): v is number => v !== null);
    return {
      profile: all[0]!.profile,
      tool: all[0]!.tool,
      runs: all.length,
      failed: all.length - good.length,
      wallSeconds: m((r) => r.wallSeconds),
      recordsPerSec: m((r) => r.records / r.wallSeconds),
      bestRecordsPerSec: max(good.map((r) => r.records / r.wallSeconds)),
      steadyRecordsPerSec: m(steadyRate),
      mbPerSec: m((r) => r.bytes / 1e6 / r.wallSeconds),
      cpuSeconds: m((r) => r.cpuSeconds),
      cpuSecondsPerGb: m((r) => r.cpuSeconds / (r.bytes / 1e9)),
      peakRssMb: m((r) => r.peakRssBytes / 1e6),
      brokerCpuSeconds: m((r) => r.brokerCpuSeconds),
      otherCpuSeconds: m((r) => r.otherCpuSeconds),
      firstRecordSeconds: firsts.length > 0 ? median(firsts) : null,
      ...stepMedians(good),
    };
  });
}

function stepMedians(runs: RunRecord[]): { steps?: StepSummary[] } {
  const steps = runs.flatMap((r) => r.steps ?? []);
  if (steps.length === 0) return {};
  const names = [...new Set(steps.map((s) => s.name))];
  return {
    steps: names.map((name) => {
      const of = steps.filter((s) => s.name === name);
      return {
        name,
        wallSeconds: median(of.map((s) => s.wallSeconds)),
        cpuSeconds: median(of.map((s) => s.cpuSeconds)),
        peakRssMb: median(of.map((s) => s.peakRssBytes / 1e6)),
      };
    }),
  };
}
