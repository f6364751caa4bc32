import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CopyCheckpoint } from '../../../src/checkpoint/copy-checkpoint.ts';
import { furtherCheckpoint } from '../../../src/checkpoint/further-checkpoint.ts';

function checkpoint(copied: number, producerIds: string[]): CopyCheckpoint {
  return {
    format: 'kreroute-checkpoint',
    version: 1,
    planHash: 'h',
    mode: 'at-least-once',
    producerIds,
    sources: { 't/0': { next: String(copied), copied, skipped: 0, done: false, alreadyWritten: [] } },
    destinations: {},
    complete: false,
    updatedAt: '',
  };
}

test('the further checkpoint carries the producer ids of both, and neither input is changed', () => {
  const local = checkpoint(10, ['1', '2']);
  const published = checkpoint(20, ['2', '3']);
  const chosen = furtherCheckpoint(local, published)!;
  assert.equal(copiedOf(chosen), 20);
  assert.deepEqual(chosen.producerIds, ['2', '3', '1']);
  assert.deepEqual(local.producerIds, ['1', '2']);
  assert.deepEqual(published.producerIds, ['2', '3']);
});

test('on a tie the local checkpoint is chosen; a missing one yields the other', () => {
  const local = checkpoint(10, ['1']);
  const published = checkpoint(10, ['2']);
  assert.deepEqual(furtherCheckpoint(local, published)!.producerIds, ['1', '2']);
  assert.deepEqual(local.producerIds, ['1']);
  assert.equal(furtherCheckpoint(null, published), published);
  assert.equal(furtherCheckpoint(local, null), local);
});

const copiedOf = (c: CopyCheckpoint): number => Object.values(c.sources).reduce((sum, s) => sum + s.copied, 0);
