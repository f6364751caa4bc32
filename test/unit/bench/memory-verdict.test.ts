import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgePeaks, renderPeaks } from '../../../bench/memory/verdict.ts';

const MB = 1e6;
const sizes = [5_000_000, 100_000_000];

test('peaks under the limit and within the growth allowed pass', () => {
  const verdict = judgePeaks(new Map([['copy', [200 * MB, 219 * MB]]]), sizes, 300 * MB, 0.1);
  assert.deepEqual(verdict, { ok: true, breaches: [] });
});

test('a step over the limit at any size fails, saying which and by how much', () => {
  const verdict = judgePeaks(new Map([['verify', [310 * MB, 310 * MB]]]), sizes, 300 * MB, 0.1);
  assert.equal(verdict.ok, false);
  assert.deepEqual(verdict.breaches, [
    'verify at 5000000 records: 310 MB, over the 300 MB limit',
    'verify at 100000000 records: 310 MB, over the 300 MB limit',
  ]);
});

test('growth of more than the allowed fraction over the first size fails although under the limit', () => {
  const verdict = judgePeaks(new Map([['copy', [199 * MB, 221 * MB]]]), sizes, 300 * MB, 0.1);
  assert.equal(verdict.ok, false);
  assert.deepEqual(verdict.breaches, ['copy at 100000000 records: 221 MB, 11 % over 199 MB at 5000000 (allowed 10 %)']);
});

test('a step that was not measured (it failed) fails the verdict', () => {
  const verdict = judgePeaks(new Map([['plan --exact', [150 * MB, Number.NaN]]]), sizes, 300 * MB, 0.1);
  assert.equal(verdict.ok, false);
  assert.deepEqual(verdict.breaches, ['plan --exact at 100000000 records: not measured']);
});

test('the table shows each size and the ratio of the largest to the first', () => {
  const table = renderPeaks(new Map([['copy', [200 * MB, 210 * MB]]]), sizes);
  assert.match(table, /\| copy \| 200 MB \| 210 MB \| 1\.05 \|/);
  assert.match(table, /5,000,000 records \| 100,000,000 records/);
});

test('other figures than bytes take their own unit', () => {
  const table = renderPeaks(new Map([['copy', [10.5, 42]]]), sizes, (s) => `${s.toFixed(1)} s`);
  assert.match(table, /\| copy \| 10\.5 s \| 42\.0 s \| 4\.00 \|/);
});
