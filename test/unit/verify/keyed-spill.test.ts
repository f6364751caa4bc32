import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedSpill } from '../../../src/verify/keyed-spill.ts';

const MB = 1024 * 1024;
/** As the duplicate search sizes its spill: a bucket for every 65,536 planned records. */
const bucketsFor = (records: number) => Math.ceil(records / 65_536);

// Beyond about 350M records (5,461 buckets) each bucket keeps its smallest buffer, 3 KB: 18 MB at 400M.
test("the spill's write buffers stay at 16 MB however many records its buckets are sized for, up to 300M", async () => {
  for (const records of [5_000_000, 100_000_000, 300_000_000]) {
    const spill = await KeyedSpill.create(records, bucketsFor(records));
    try {
      assert.ok(
        spill.bufferBytes <= 16 * MB + spill.buckets * 24,
        `${records} records, ${spill.buckets} buckets: ${(spill.bufferBytes / MB).toFixed(1)} MB of write buffers`,
      );
    } finally {
      await spill.remove();
    }
  }
});
