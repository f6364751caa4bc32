import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderBatches } from '../../../../src/cli/render/render-copy.ts';
import { emptyCopyStats } from '../../../../src/copy/copy-stats.ts';

test('the copy summary counts the written batches by how they were made and the built ones by codec', () => {
  const stats = {
    ...emptyCopyStats(),
    forwardedBatches: 2,
    forwardedRecords: 600,
    filteredBatches: 54,
    filteredRecords: 66_067,
    joinedBatches: 1,
    joinedRecords: 600,
    mergedBatches: 6,
    builtCodecs: { lz4: 55 },
  };
  assert.deepEqual(renderBatches(stats), [
    '  Batches: 2 forwarded as fetched (600 records), 54 filtered (66,067 records), 1 joined from 6 (600 records); built ones written lz4 (55).',
  ]);
  assert.deepEqual(renderBatches(emptyCopyStats()), []);
});
