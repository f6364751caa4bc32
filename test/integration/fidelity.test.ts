import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyPlan, createPlan, verifyPlan } from '../../src/index.ts';
import { loadCheckpoint } from '../../src/checkpoint/copy-checkpoint.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { content, kcatDump } from '../support/kcat.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';

const PARTITIONS = 8;
const OLD = BigInt(Date.UTC(2019, 0, 1));

/** Every shape a copy must keep, spread over 8 partitions. */
function craftedRecords(partition: number): RecordContent[] {
  const binary = Buffer.from([0x00, 0x0a, 0xff, 0x00, 0x0d, 0x0a, 0x80]);
  const records: RecordContent[] = [
    record(`p${partition}-plain`, `{"n":${partition}}`, { timestamp: OLD + BigInt(partition) }),
    record(null, 'null key', { timestamp: OLD + 1000n }),
    record(`p${partition}-tombstone`, null, { timestamp: OLD + 2000n }),
    record(Buffer.alloc(0), Buffer.alloc(0), { timestamp: OLD + 3000n }),
    record(Buffer.concat([Buffer.from(`p${partition}`), binary]), Buffer.concat([binary, Buffer.from('\n\0end')]), { timestamp: OLD + 4000n }),
    record(`p${partition}-headers`, 'h', {
      timestamp: OLD + 5000n,
      headers: [
        ['b', '1'],
        ['a', binary],
        ['b', '2'],
        ['n', null],
        ['empty', Buffer.alloc(0)],
      ],
    }),
    record(`p${partition}-64-headers`, 'many', { headers: Array.from({ length: 64 }, (_, i) => [`h${i % 7}`, `v${i}`] as [string, string]) }),
  ];
  if (partition < 2) records.push(record(`p${partition}-large`, Buffer.alloc(1024 * 1024, partition + 1), { timestamp: OLD + 6000n }));
  for (let i = 0; i < 200; i++)
    records.push(record(`p${partition}-k${i % 13}`, `value ${i} of ${partition}`, { timestamp: BigInt(Date.now()) - 3_600_000n + BigInt(i) }));
  return records;
}

test('copy keeps key, value, tombstones, headers, timestamps and partition; kcat sees the same on both sides', async () => {
  const { source, destination } = getTestClusters();
  const topic = uniqueName('fidelity');
  await createTopic(source, topic, PARTITIONS, { 'max.message.bytes': String(4 * 1024 * 1024) });
  const seeded = new Map([...Array(PARTITIONS).keys()].map((p) => [p, craftedRecords(p)]));
  await produce(source, topic, seeded, 50);

  const plan = await createPlan({
    source: { bootstrap: [source] },
    destination: { bootstrap: [destination] },
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    exact: true,
    createTopics: true,
  });
  const expected = [...seeded.values()].reduce((n, r) => n + r.length, 0);
  assert.equal(plan.estimate.records, expected);
  assert.equal(plan.topics[0]!.partitions.length, PARTITIONS);

  const stateDir = await mkdtemp(join(tmpdir(), 'kreroute-fidelity-'));
  const copied = await copyPlan(plan, { source: { bootstrap: [source] }, destination: { bootstrap: [destination] }, stateDir });
  assert.equal(copied.records, expected, JSON.stringify(copied));

  const report = await verifyPlan(plan, { source: { bootstrap: [source] }, destination: { bootstrap: [destination] }, stateDir });
  assert.equal(
    report.passed,
    true,
    JSON.stringify(
      report.partitions.filter((p) => !p.passed),
      null,
      1,
    ),
  );
  assert.equal(report.partitions.length, PARTITIONS);

  const checkpoint = (await loadCheckpoint(stateDir, plan.hash))!;
  for (const planned of plan.topics[0]!.partitions) {
    const window = checkpoint.destinations[`${topic}/${planned.partition}`]!;
    const count = Number(BigInt(window.end!) - BigInt(window.scanFrom));
    assert.equal(count, seeded.get(planned.partition)!.length, `partition ${planned.partition} holds what was seeded`);
    const fromSource = await kcatDump(source, topic, planned.partition, BigInt(planned.start), Number(BigInt(planned.end) - BigInt(planned.start)));
    const fromDestination = await kcatDump(destination, topic, planned.partition, BigInt(window.scanFrom), count);
    assert.equal(fromDestination.length, fromSource.length);
    assert.ok(fromDestination.every((r) => r.partition === planned.partition));
    assert.deepEqual(content(fromDestination), content(fromSource), `kcat sees partition ${planned.partition} alike on both sides`);
  }
});
