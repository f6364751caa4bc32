import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AbRun, pairedRows, renderPaired } from '../../../bench/ab/paired.ts';

const run = (variant: string, round: number, cpuSeconds: number, wallSeconds = 5): AbRun => ({
  profile: '1kib',
  variant,
  round,
  cpuSeconds,
  wallSeconds,
  peakRssBytes: 140e6,
});

test('a variant slower in every round by 0.2 s shows +0.20 paired, although the drift between rounds is larger', () => {
  // The machine slows down round by round by far more than the difference.
  const drift = [2.0, 2.6, 3.1, 2.2, 3.4];
  // Listed as they ran, the new one first in some rounds: the rows keep the order asked for.
  const runs = drift.flatMap((d, i) =>
    i % 2 === 0 ? [run('new', i + 1, d + 0.2, 6), run('base', i + 1, d)] : [run('base', i + 1, d), run('new', i + 1, d + 0.2, 6)],
  );
  const [base, changed] = pairedRows(runs, ['base', 'new']);
  assert.equal(base!.paired, null);
  assert.equal(changed!.variant, 'new');
  assert.equal(changed!.runs, 5);
  assert.ok(Math.abs(changed!.paired!.medianCpuSeconds - 0.2) < 1e-9);
  assert.equal(changed!.paired!.cpuHigher, 5);
  assert.equal(changed!.paired!.medianWallSeconds, 1);
  const table = renderPaired(pairedRows(runs, ['base', 'new']), 'base');
  assert.match(table, /\| 1kib \| new \| 5 \| 2\.80 \| 6\.00 \| 140 \| \+0\.20 \| 5\/5 \| \+1\.00 \|/);
  assert.match(table, /\| 1kib \| base \| 5 \| 2\.60 \| 5\.00 \| 140 \| reference \|/);
});

test('a round the reference lacks (it failed) is left out of the pairs, not matched with another round', () => {
  const runs = [run('base', 1, 2), run('new', 1, 2.1), run('new', 2, 9)];
  const changed = pairedRows(runs, ['base', 'new']).find((r) => r.variant === 'new')!;
  assert.equal(changed.paired!.rounds, 1);
  assert.ok(Math.abs(changed.paired!.medianCpuSeconds - 0.1) < 1e-9);
});
