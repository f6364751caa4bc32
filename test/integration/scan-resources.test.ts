import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanRanges } from '../../src/kafka/fetch/range-scanner.ts';
import { uniqueName } from '../support/clusters.ts';
import { sides } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

const openSockets = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;

// plan and verify run many scans on one open cluster (counts, anchors, schema ids, digests,
// duplicates); each scan's connection and response buffers must go when it ends, not when the
// cluster is closed: kept, they were up to 48 MB of buffers per finished scan.
test('a finished scan leaves no connection of its own open', { timeout: 60_000 }, async () => {
  const { sourceBootstrap } = sides();
  const topic = uniqueName('scan-resources');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, new Map([0, 1].map((p) => [p, Array.from({ length: 50 }, (_, i) => record(`k-${i}`, `v-${p}-${i}`))])));
  const c = cluster(sourceBootstrap);
  try {
    const ranges = [0, 1].map((partition) => ({ topic, partition, from: 0n, end: 50n }));
    let records = 0;
    await scanRanges(c, ranges, { batch: (_range, batch) => void (records += batch.count) }); // leaders looked up, admin connections open
    const before = openSockets();
    for (let scan = 0; scan < 3; scan++) await scanRanges(c, ranges, { batch: (_range, batch) => void (records += batch.count) });
    await new Promise((resolve) => setTimeout(resolve, 200)); // a closed socket leaves the list on the next turn of the loop
    assert.equal(records, 4 * 100);
    assert.ok(openSockets() <= before, `open sockets: ${before} before three more scans, ${openSockets()} after`);
  } finally {
    await c.close();
  }
});
