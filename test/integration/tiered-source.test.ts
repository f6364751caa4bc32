import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyPlan, createPlan, verifyPlan } from '../../src/index.ts';
import { readRange } from '../../src/kafka/fetch/range-reader.ts';
import { uniqueName } from '../support/clusters.ts';
import { sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { kcatRead } from '../support/kcat-count.ts';
import { TIERED_TOPIC, type TieredCluster, startTieredCluster } from '../support/tiered-cluster.ts';

// A source with tiered storage whose remote reads often outlast remote.fetch.max.wait.ms (1 ms):
// the broker then answers a fetch of a remote offset with no records, although records follow.
const RECORDS = 2500;
/** Record i is stamped BASE + i ms, so that a time bound can point at any of them. */
const BASE = BigInt(Date.now() - 3_600_000);
const topic = uniqueName('tiered');
let tiered: TieredCluster;

before(async () => {
  tiered = await startTieredCluster('tiered-source', { remoteFetchMaxWaitMs: 1, brokerConfig: { 'log.retention.check.interval.ms': '1000' } });
  await createTopic(tiered.cluster.bootstrap, topic, 1, { ...TIERED_TOPIC });
  // About 2.5 MB: two 1 MB segments move to remote storage (the time bound below lies in the second).
  const value = 'v'.repeat(1000);
  await produce(
    tiered.cluster.bootstrap,
    topic,
    new Map([[0, Array.from({ length: RECORDS }, (_, i) => record(`k-${i}`, value, { timestamp: BASE + BigInt(i) }))]]),
    100,
  );
  await waitUntilRemote(tiered.cluster.bootstrap, topic, 2000n);
});
after(async () => {
  await tiered?.stop();
});

/** Waits (bounded) until the first `offset` records of the partition are in remote storage only. */
async function waitUntilRemote(bootstrap: string, name: string, offset: bigint): Promise<void> {
  const c = cluster(bootstrap);
  try {
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(500)) {
      const [local] = await c.listOffsets(name, [0], { kind: 'earliest-local' });
      if (local!.offset >= offset) return;
    }
    throw new Error(`offsets below ${offset} of ${name} did not move to remote storage within 90 s`);
  } finally {
    await c.close();
  }
}

const source = () => ({ bootstrap: [tiered.cluster.bootstrap] });

test('plan --exact on a tiered source whose remote reads time out counts every record', async () => {
  const { destination, destinationBootstrap } = sides();
  const name = `${topic}-count`;
  await createTopic(destinationBootstrap, name, 1);
  const plan = await createPlan({
    source: source(),
    destination,
    topics: [topic],
    destinationTopic: name,
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    exact: true,
  });
  assert.equal(plan.estimate.records, RECORDS);
});

test('copy and verify of a tiered source whose remote reads time out take every record', async () => {
  const { destination, destinationBootstrap } = sides();
  // --create-topics would copy remote.storage.enable, which the destination (no tiered storage) refuses.
  await createTopic(destinationBootstrap, topic, 1);
  const plan = await createPlan({ source: source(), destination, topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' } });
  const dir = await stateDir('tiered');
  const copied = await copyPlan(plan, { source: source(), destination, stateDir: dir });
  const report = await verifyPlan(plan, { source: source(), destination, stateDir: dir });
  const onDestination = await kcatRead(destinationBootstrap, topic, 0, ['-o', 'beginning']);
  assert.deepEqual(
    { copied: copied.records, verifiedSource: report.partitions[0]?.sourceCount, destination: onDestination.length, passed: report.passed },
    { copied: RECORDS, verifiedSource: RECORDS, destination: RECORDS, passed: true },
  );
  assert.deepEqual(
    onDestination.map((r) => r.key),
    Array.from({ length: RECORDS }, (_, i) => `k-${i}`),
    'every record, once, in order',
  );
});

test('a time bound on a tiered source whose remote reads time out lands on its record', async () => {
  const { destination, destinationBootstrap } = sides();
  const name = `${topic}-time`;
  await createTopic(destinationBootstrap, name, 1);
  const plan = await createPlan({
    source: source(),
    destination,
    topics: [topic],
    destinationTopic: name,
    from: { kind: 'timestamp', ms: BASE + 1500n },
    to: { kind: 'latest' },
    exact: true,
  });
  assert.deepEqual({ start: plan.topics[0]?.partitions[0]?.start, records: plan.estimate.records }, { start: '1500', records: RECORDS - 1500 });
});

test('a single-partition read (verify record by record, reconcile) of a tiered source whose remote reads time out sees every record', async () => {
  const c = cluster(tiered.cluster.bootstrap);
  try {
    let count = 0;
    for await (const chunk of readRange(c, topic, 0, 0n, BigInt(RECORDS), { maxBytes: 1024 * 1024, maxWaitMs: 100, readCommitted: true }))
      count += chunk.records.length;
    assert.equal(count, RECORDS);
  } finally {
    await c.close();
  }
});
