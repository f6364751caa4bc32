import { type MeasureSpec, type Measurement, type Outcome, measure } from './measure.ts';

/** A job's step (plan, copy, verify; copy, check): one process of its own, measured by itself. */
export interface Step {
  name: string;
  spec: Omit<MeasureSpec, 'timeoutMs'>;
}

/** One step's figures, kept per run in the results. */
export interface StepFigures {
  name: string;
  outcome: Outcome;
  exitCode: number | null;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

/**
 * Runs the steps one after another, as a user's script would, within one bound for them all, and
 * stops at the first that does not exit 0. The job's figures: wall and CPU summed; peak RSS the largest step's (the steps do not
 * overlap); the first record on the destination counted from the start of the first step.
 */
export async function measureSteps(steps: Step[], timeoutMs: number): Promise<{ measurement: Measurement; steps: StepFigures[] }> {
  const deadline = performance.now() + timeoutMs;
  const done: Array<{ name: string; measured: Measurement }> = [];
  for (const step of steps) {
    const measured = await measure({ ...step.spec, timeoutMs: Math.max(0, deadline - performance.now()) });
    done.push({ name: step.name, measured });
    if (measured.outcome !== 'exited') break;
  }
  const sum = (f: (m: Measurement) => number) => done.reduce((total, d) => total + f(d.measured), 0);
  const failed = done.find((d) => d.measured.outcome !== 'exited')?.measured;
  const firstRecord = done.findIndex((d) => d.measured.firstRecordSeconds !== null);
  const before = done.slice(0, Math.max(0, firstRecord)).reduce((total, d) => total + d.measured.wallSeconds, 0);
  return {
    measurement: {
      outcome: failed?.outcome ?? 'exited',
      exitCode: failed ? failed.exitCode : 0,
      wallSeconds: sum((m) => m.wallSeconds),
      firstRecordSeconds: firstRecord < 0 ? null : before + done[firstRecord]!.measured.firstRecordSeconds!,
      cpuSeconds: sum((m) => m.cpuSeconds),
      cpuSecondsWithStop: sum((m) => m.cpuSecondsWithStop),
      peakRssBytes: Math.max(...done.map((d) => d.measured.peakRssBytes)),
    },
    steps: done.map(({ name, measured: m }) => ({
      name,
      outcome: m.outcome,
      exitCode: m.exitCode,
      wallSeconds: m.wallSeconds,
      cpuSeconds: m.cpuSeconds,
      peakRssBytes: m.peakRssBytes,
    })),
  };
}
