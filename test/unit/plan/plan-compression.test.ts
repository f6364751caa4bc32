import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixedCompression } from '../../../src/plan/checks/destination-checks.ts';
import { readPlanFile, sealPlan, writePlanFile } from '../../../src/plan/plan-file.ts';
import { offlinePlan } from '../../support/offline-plan.ts';

test("the destination topic's compression.type: a codec it fixes, or none when it leaves it to the producer", () => {
  const of = (type?: string) => fixedCompression(new Map(type === undefined ? [] : [['compression.type', type]]));
  assert.deepEqual(
    [of('producer'), of(undefined), of('uncompressed'), of('zstd'), of('lz4'), of('gzip'), of('snappy')],
    [undefined, undefined, 'none', 'zstd', 'lz4', 'gzip', 'snappy'],
  );
});

test('a plan that records the destination compression reads back from its file', async () => {
  const { hash: _hash, ...plain } = offlinePlan();
  const plan = sealPlan({ ...plain, topics: plain.topics.map((t) => ({ ...t, destinationCompression: 'zstd' as const })) });
  const file = join(await mkdtemp(join(tmpdir(), 'kreroute-plan-compression-')), 'p.json');
  await writePlanFile(file, plan);
  assert.equal((await readPlanFile(file)).topics[0]!.destinationCompression, 'zstd');
});
