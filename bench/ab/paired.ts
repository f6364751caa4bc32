import { median } from '../stats.ts';

/** One copy of one variant in one round. */
export interface AbRun {
  profile: string;
  variant: string;
  round: number;
  cpuSeconds: number;
  wallSeconds: number;
  peakRssBytes: number;
}

export interface PairedRow {
  profile: string;
  variant: string;
  runs: number;
  medianCpuSeconds: number;
  medianWallSeconds: number;
  medianPeakRssMb: number;
  /** Against the reference in the same round; null for the reference itself. */
  paired: { medianCpuSeconds: number; medianWallSeconds: number; cpuHigher: number; rounds: number } | null;
}

/**
 * Medians per variant, and each variant's differences from the reference round by round. A busy
 * machine drifts by more than a change costs, and both variants of one round see the same drift:
 * the median of the paired differences and how many rounds went one way tell a change from noise
 * where medians of separate batches do not (they misled two sessions about a 0.2 s cost).
 * `variants`: in the order to show them, the reference first.
 */
export function pairedRows(runs: AbRun[], variants: string[]): PairedRow[] {
  const reference = variants[0];
  const rows: PairedRow[] = [];
  for (const profile of [...new Set(runs.map((r) => r.profile))]) {
    const ofProfile = runs.filter((r) => r.profile === profile);
    const referenceByRound = new Map(ofProfile.filter((r) => r.variant === reference).map((r) => [r.round, r]));
    for (const variant of variants) {
      const mine = ofProfile.filter((r) => r.variant === variant);
      if (mine.length === 0) continue;
      const pairs = mine.flatMap((r) => {
        const base = referenceByRound.get(r.round);
        return base ? [{ cpu: r.cpuSeconds - base.cpuSeconds, wall: r.wallSeconds - base.wallSeconds }] : [];
      });
      rows.push({
        profile,
        variant,
        runs: mine.length,
        medianCpuSeconds: median(mine.map((r) => r.cpuSeconds)),
        medianWallSeconds: median(mine.map((r) => r.wallSeconds)),
        medianPeakRssMb: median(mine.map((r) => r.peakRssBytes / 1e6)),
        paired:
          variant === reference
            ? null
            : {
                medianCpuSeconds: median(pairs.map((p) => p.cpu)),
                medianWallSeconds: median(pairs.map((p) => p.wall)),
                cpuHigher: pairs.filter((p) => p.cpu > 0).length,
                rounds: pairs.length,
              },
      });
    }
  }
  return rows;
}

export function renderPaired(rows: PairedRow[], reference: string): string {
  const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(2)}`;
  const lines = [
    `| profile | variant | runs | CPU s | wall s | peak RSS MB | CPU s − ${reference}, paired median | rounds with more CPU | wall s − ${reference}, paired median |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const p = r.paired;
    lines.push(
      `| ${r.profile} | ${r.variant} | ${r.runs} | ${r.medianCpuSeconds.toFixed(2)} | ${r.medianWallSeconds.toFixed(2)} | ${r.medianPeakRssMb.toFixed(0)} | ${p ? signed(p.medianCpuSeconds) : 'reference'} | ${p ? `${p.cpuHigher}/${p.rounds}` : ''} | ${p ? signed(p.medianWallSeconds) : ''} |`,
    );
  }
  return lines.join('\n');
}
