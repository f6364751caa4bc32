/** Peak RSS of each step at each size, in bytes: step → one figure per size. */
export type PeakTable = Map<string, number[]>;

export interface Verdict {
  ok: boolean;
  /** One line per breach: what was too high and by how much. */
  breaches: string[];
}

/**
 * Every step's peak RSS must stay under `limitBytes` at every size, and at no larger size exceed its
 * figure at the first size by more than `maxGrowth` (0.10: 10 %).
 */
export function judgePeaks(table: PeakTable, sizes: number[], limitBytes: number, maxGrowth: number): Verdict {
  const breaches: string[] = [];
  for (const [step, peaks] of table) {
    const reference = peaks[0];
    peaks.forEach((peak, i) => {
      if (!Number.isFinite(peak)) breaches.push(`${step} at ${sizes[i]} records: not measured`);
      else if (peak > limitBytes) breaches.push(`${step} at ${sizes[i]} records: ${mb(peak)} MB, over the ${mb(limitBytes)} MB limit`);
      if (i > 0 && reference !== undefined && peak > reference * (1 + maxGrowth)) {
        breaches.push(
          `${step} at ${sizes[i]} records: ${mb(peak)} MB, ${percent(peak / reference - 1)} over ${mb(reference)} MB at ${sizes[0]} (allowed ${percent(maxGrowth)})`,
        );
      }
    });
  }
  return { ok: breaches.length === 0, breaches };
}

/** The table of one figure per step and size; `unit` formats a figure (default: bytes as MB). */
export function renderPeaks(table: PeakTable, sizes: number[], unit: (figure: number) => string = (bytes) => `${mb(bytes)} MB`): string {
  const header = `| step | ${sizes.map((s) => `${s.toLocaleString('en-US')} records`).join(' | ')} | largest ÷ first |`;
  const rule = `|---|${sizes.map(() => '---:|').join('')}---:|`;
  const rows = [...table].map(([step, peaks]) => {
    const ratio = peaks.length > 1 ? (peaks.at(-1)! / peaks[0]!).toFixed(2) : '–';
    return `| ${step} | ${peaks.map(unit).join(' | ')} | ${ratio} |`;
  });
  return [header, rule, ...rows].join('\n');
}

function mb(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 1e6).toFixed(0) : '?';
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(0)} %`;
}
