// The first exactly-once copy into a fresh cluster: its transaction coordinator does not exist
// until the first FindCoordinator creates __transaction_state, and answers COORDINATOR_NOT_AVAILABLE
// (or NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS) meanwhile. That is normal start-up: one
// "waiting for the transaction coordinator …" line at most every 5 s, never "retrying: … failed".
// The destination is a single-broker cluster of this file's own, started here and stopped after.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type LocalCluster, startLocalCluster } from '../../src/local/local-cluster.ts';
import { runKreroute } from '../support/cli-run.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';

let fresh: LocalCluster | undefined;
let dir: string | undefined;

before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'kreroute-fresh-coordinator-'));
    fresh = await startLocalCluster({ name: 'fresh-coordinator', dataDir: join(dir, 'data'), startTimeoutMs: 60_000 });
  },
  { timeout: 120_000 },
);

after(
  async () => {
    await fresh?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

test('the first exactly-once copy into a fresh cluster waits for its transaction coordinator in one line, not as failures', { timeout: 120_000 }, async () => {
  assert.ok(fresh && dir, 'the fresh cluster started');
  const { source } = getTestClusters();
  const topic = uniqueName('fresh-coordinator');
  await createTopic(source, topic, 2);
  const records = (p: number) => Array.from({ length: 50 }, (_, i) => record(`k${p}-${i}`, `v${i}`));
  await produce(
    source,
    topic,
    new Map([
      [0, records(0)],
      [1, records(1)],
    ]),
  );
  const planFile = join(dir, 'plan.json');
  const planned = await runKreroute(
    ['plan', '--source', source, '--destination', fresh.bootstrap, '--topic', topic, '--create-topics', '--out', planFile],
    60_000,
  );
  assert.equal(planned.code, 0, planned.stderr);

  const copy = await runKreroute(['copy', planFile, '--mode', 'exactly-once', '--state-dir', join(dir, 'state')], 90_000);
  assert.equal(copy.code, 0, copy.stderr);
  const lines = copy.stderr.split('\n');
  const coordinatorRetries = lines.filter((l) => /^retrying:.*coordinator/.test(l));
  assert.deepEqual(coordinatorRetries, [], `no coordinator start-up reported as a failure:\n${copy.stderr}`);
  const waits = lines.filter((l) => l.startsWith('waiting for the transaction coordinator'));
  assert.ok(waits.length <= 2, `one waiting line (another at most every 5 s):\n${copy.stderr}`);
  for (const wait of waits) assert.match(wait, /^waiting for the transaction coordinator of destination .* \(a fresh cluster creates it on first use/);
  assert.match(`${copy.stdout}${copy.stderr}`, /\b100 records\b/, `the copy moved the 100 records:\n${copy.stdout}${copy.stderr}`);
});
