import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { readRange } from '../../src/kafka/fetch/range-reader.ts';
import { createPlan } from '../../src/plan/create-plan.ts';
import { lateWritesOf } from '../../src/plan/late-writes.ts';
import { readPlanFile, writePlanFile } from '../../src/plan/plan-file.ts';
import type { Plan } from '../../src/plan/plan.ts';
import { runKreroute } from '../support/cli-run.ts';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, sides, stateDir } from '../support/engine.ts';
import { checkedJsonLines } from '../support/json-output.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

const TENANT = { kind: 'header', name: 'tenant', value: 'tenant-b' } as const;

/** `count` records of a tenant per partition of a two-partition topic, keys `<tenant>:<tag>:<p>-<i>`. */
function batch(tenant: string, tag: string, count: number, timestamp?: bigint) {
  const records = (p: number) =>
    Array.from({ length: count }, (_, i) =>
      record(`${tenant}:${tag}:${p}-${i}`, `v${i}`, { headers: [['tenant', tenant]], ...(timestamp !== undefined ? { timestamp } : {}) }),
    );
  return new Map([
    [0, records(0)],
    [1, records(1)],
  ]);
}

/** Every key on the destination topic, in every partition. */
async function destinationKeys(topic: string): Promise<string[]> {
  const c = cluster(sides().destinationBootstrap);
  try {
    const keys: string[] = [];
    for (const listed of await c.listOffsets(topic, [0, 1], { kind: 'latest' })) {
      for await (const chunk of readRange(c, topic, listed.partition, 0n, listed.offset)) keys.push(...chunk.records.map((r) => r.key!.toString()));
    }
    return keys.sort();
  } finally {
    await c.close();
  }
}

function followUp(previous: Plan, planFile: string): Promise<Plan> {
  const { source, destination } = sides();
  return createPlan({ source, destination, from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true, after: { plan: previous, planFile } });
}

test('status reports late writes; plan --after covers exactly them, and its overlap check passes its predecessors but finds a real overlap', async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('late-writes');
  await createTopic(sourceBootstrap, topic, 2);
  await produce(sourceBootstrap, topic, batch('tenant-b', 'first', 20));
  await produce(sourceBootstrap, topic, batch('tenant-a', 'first', 10));
  const dir = await stateDir('late-writes');
  const firstFile = join(dir, 'b.plan.json');
  const first = await createPlan({
    source,
    destination,
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    filter: TENANT,
    createTopics: true,
    exact: true,
  });
  await writePlanFile(firstFile, first);
  assert.equal((await copyAndVerify(first, join(dir, 'b.plan.state'))).report.passed, true);
  assert.equal((await lateWritesOf(first, source)).records, 0);

  // Late writes stamped an hour ago (a producer's event time): older than the first plan's copies on the destination.
  const hourAgo = BigInt(Date.now() - 3_600_000);
  await produce(sourceBootstrap, topic, batch('tenant-b', 'late', 7, hourAgo));
  await produce(sourceBootstrap, topic, batch('tenant-a', 'late', 5));
  const late = await lateWritesOf(first, source);
  assert.equal(late.records, 14);
  assert.deepEqual(late.topics, [{ topic, records: 14, firstTimestamp: String(hourAgo), lastTimestamp: String(hourAgo), offsetsAfterEnd: 24, capped: false }]);
  const status = await runKreroute(['status', firstFile, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const lines = checkedJsonLines(status.stdout);
  assert.ok(lines.some((l) => l['type'] === 'warning' && l['code'] === 'LATE_WRITES'));
  const result = lines.find((l) => l['kind'] === 'status') as { lateWrites: { records: number } };
  assert.equal(result.lateWrites.records, 14);

  const secondFile = join(dir, 'b.plan.2.json');
  const refused = await runKreroute(['plan', '--after', firstFile, '--topic', 'other', '--out', secondFile]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--after: --topic cannot be given, the follow-up plan takes them from /);
  const planned = await runKreroute(['plan', '--after', firstFile, '--exact', '--out', secondFile, '--json']);
  assert.equal(planned.code, 0, planned.stderr);
  const second = await readPlanFile(secondFile);
  assert.equal(second.after?.planHash, first.hash);
  assert.match(planned.stdout, /"range":\{"from":"after:[0-9a-f]{12}","to":"latest"\}/);
  assert.deepEqual(second.filter, TENANT);
  assert.deepEqual(
    second.topics[0]!.partitions.map((p) => [p.start, p.end, p.exact?.records]),
    first.topics[0]!.partitions.map((p) => [p.end, String(Number(p.end) + 12), 7]),
  );
  // The first plan's copies are newer than the late writes, and expected there: no overlap.
  assert.deepEqual(
    second.checks.filter((c) => c.code === 'OVERLAP'),
    [],
  );
  assert.equal((await copyAndVerify(second, join(dir, 'b.plan.2.state'))).report.passed, true);
  const expected = [...batch('tenant-b', 'first', 20).values(), ...batch('tenant-b', 'late', 7).values()].flat().map((r) => r.key!.toString());
  assert.deepEqual(await destinationKeys(topic), expected.sort());
  assert.equal((await lateWritesOf(second, source)).records, 0);

  // A record another writer put on destination partition 0 after the chain began, newer than the next late write: a real overlap.
  await produce(destinationBootstrap, topic, new Map([[0, [record('someone-else', 'x')]]]));
  await produce(sourceBootstrap, topic, batch('tenant-b', 'later', 1, hourAgo));
  const third = await followUp(second, secondFile);
  assert.equal(third.after?.chain[0]?.destinationStarts.join(), second.after?.chain[0]?.destinationStarts.join());
  assert.deepEqual(
    third.checks.filter((c) => c.code === 'OVERLAP').map((c) => c.partition),
    [0],
  );
});
