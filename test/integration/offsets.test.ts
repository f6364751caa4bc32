import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { type OffsetsReport, type Plan, copyPlan, type RecordFilterSpec, type VerifyReport, translateOffsets, verifyPlan } from '../../src/index.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { kcatDump } from '../support/kcat.ts';
import { type Consumed, consumeAsGroup, groupMember } from '../support/group-consumer.ts';
import { stateDir } from '../support/engine.ts';
import { writePlanFile } from '../../src/plan/plan-file.ts';
import { runKreroute } from '../support/cli-run.ts';
import { checkedJsonLines } from '../support/json-output.ts';

const TENANT = 'acme:';

/** `count` records per source partition, every other one the tenant's. */
function sourceRecords(partition: number, count: number): RecordContent[] {
  return Array.from({ length: count }, (_, i) => record(`${i % 2 === 0 ? TENANT : 'globex:'}${partition}-${i}`, `value ${partition}-${i}`));
}

/** Another producer's records on the destination: before, between and after the copies. */
async function newerRecords(topic: string, partitions: number, tag: string, count = 5): Promise<void> {
  const byPartition = new Map(
    [...Array(partitions).keys()].map((p) => [p, Array.from({ length: count }, (_, i) => record(`newer:${tag}-${p}-${i}`, 'other'))]),
  );
  await produce(sides().destinationBootstrap, topic, byPartition);
}

/**
 * Copies slowly while another producer keeps writing to every destination partition, then checks
 * that its records landed between the copies (so the translation must step over them).
 */
async function copyBetweenOtherRecords(p: Plan, dir: string, topic: string, partitions: number): Promise<void> {
  const { source, destination, destinationBootstrap } = sides();
  let copying = true;
  let round = 0;
  const other = (async () => {
    while (copying) {
      await newerRecords(topic, partitions, `during-${round++}`, 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    await copyPlan(p, { source, destination, stateDir: dir, maxRatePerSec: 20 });
  } finally {
    copying = false;
    await other;
  }
  for (let d = 0; d < partitions; d++) {
    const keys = (await kcatDump(destinationBootstrap, topic, d, 0n, 10_000)).map((r) => r.key ?? '');
    const [first, last] = [keys.findIndex((k) => k.startsWith(TENANT)), keys.findLastIndex((k) => k.startsWith(TENANT))];
    assert.ok(
      keys.slice(first, last).some((k) => k.startsWith('newer:during')),
      `another producer's records lie between the copies on ${topic}[${d}]`,
    );
  }
}

function translate(p: Plan, dir: string, group: string, extra: { execute?: boolean; allowReplay?: boolean } = {}): Promise<OffsetsReport> {
  const { source, destination } = sides();
  return translateOffsets(p, { source, destination, stateDir: dir, groups: [group], ...extra });
}

const keysOf = (taken: Consumed[], planned: (key: string) => boolean) => taken.map((m) => m.key).filter(planned);

interface Scenario {
  topic: string;
  plan: Plan;
  dir: string;
  group: string;
  planned: (key: string) => boolean;
  all: string[];
  onSource: string[];
}

/**
 * Seeds the source, plans, lets a real group consume a third of the planned records there,
 * copies and verifies (with another producer's records around the copies on the destination).
 */
async function scenario(
  name: string,
  sourcePartitions: number,
  destinationPartitions: number,
  filter: RecordFilterSpec | null,
  interleave = false,
  copyWith: (p: Plan, dir: string) => Promise<void> = async (p, dir) => assert.equal((await copyAndVerify(p, dir)).report.passed, true),
): Promise<Scenario> {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName(`offsets-${name}`);
  await createTopic(sourceBootstrap, topic, sourcePartitions);
  await createTopic(destinationBootstrap, topic, destinationPartitions);
  const seeded = new Map([...Array(sourcePartitions).keys()].map((p) => [p, sourceRecords(p, 60)]));
  // Batches of 10: the copy writes several batches per partition, so other records can come between them.
  await produce(sourceBootstrap, topic, seeded, 10);
  const planned = filter ? (key: string) => key.startsWith(TENANT) : (key: string) => !key.startsWith('newer:');
  const all = [...seeded.values()]
    .flat()
    .map((r) => r.key!.toString())
    .filter(planned);
  const p = await plan({
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    ...(filter ? { filter } : {}),
    ...(destinationPartitions !== sourcePartitions ? { mapping: 'key-hash' as const } : {}),
    exact: true,
  });
  await newerRecords(topic, destinationPartitions, 'before');
  const group = uniqueName('group');
  // A third of each partition's planned records, so that key-hash interleaves consumed and unconsumed ones.
  const third = Math.floor(all.length / sourcePartitions / 3);
  const plannedOf = (taken: Consumed[], partition: number) =>
    keysOf(
      taken.filter((m) => m.partition === partition),
      planned,
    ).length;
  const onSource = keysOf(
    await consumeAsGroup(sourceBootstrap, group, topic, {
      take: (message, taken) => plannedOf(taken, message.partition) < third,
      enough: (taken) => [...Array(sourcePartitions).keys()].every((partition) => plannedOf(taken, partition) >= third),
    }),
    planned,
  );
  assert.equal(onSource.length, third * sourcePartitions, `the group consumed ${onSource.length} of ${all.length} planned records on the source`);
  const dir = await stateDir('offsets');
  if (interleave) await copyBetweenOtherRecords(p, dir, topic, destinationPartitions);
  await copyWith(p, dir);
  await newerRecords(topic, destinationPartitions, 'after');
  return { topic, plan: p, dir, group, planned, all, onSource };
}

/** Translates and commits, then consumes the rest on the destination as the same group. */
async function continueOnDestination(s: Scenario): Promise<{ report: OffsetsReport; onDestination: string[] }> {
  const dryRun = await translate(s.plan, s.dir, s.group);
  assert.equal(dryRun.execute, false);
  assert.equal(dryRun.groups[0]!.committed, false);
  const destination = cluster(sides().destinationBootstrap);
  try {
    const partitions = dryRun.groups[0]!.partitions.map((p) => p.destinationPartition);
    assert.equal((await destination.committedOffsets(s.group, s.topic, partitions)).size, 0, 'a dry run commits nothing');
  } finally {
    await destination.close();
  }
  const report = await translate(s.plan, s.dir, s.group, { execute: true });
  assert.equal(report.groups[0]!.committed, true);
  const consumed = report.groups[0]!.partitions.reduce((n, p) => n + p.consumedRecords, 0);
  assert.equal(consumed, s.onSource.length, 'the records the group consumed on the source, as counted by the translation');
  const onDestination = keysOf(await consumeAsGroup(sides().destinationBootstrap, s.group, s.topic), s.planned);
  return { report, onDestination };
}

function counts(keys: string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
  return seen;
}

test('a group continues on the destination at the next planned record after a filtered same copy, skipping other producers', async () => {
  const s = await scenario('filtered', 2, 2, { kind: 'key-prefix', prefix: TENANT }, true);
  const { report, onDestination } = await continueOnDestination(s);
  assert.ok(report.groups[0]!.partitions.every((p) => p.replayedRecords === 0 && p.move === 'new'));
  // Every planned record exactly once over both clusters: none missing, none seen twice.
  assert.deepEqual([...s.onSource, ...onDestination].sort(), [...s.all].sort());

  // Several groups in one call: each placed as alone; one that consumed nothing starts at the first copy.
  const { source, destination } = sides();
  const fresh = uniqueName('group');
  const both = await translateOffsets(s.plan, { source, destination, stateDir: s.dir, groups: [s.group, fresh] });
  assert.deepEqual(
    both.groups[0]!.partitions.map((p) => [p.translated, p.consumedRecords]),
    report.groups[0]!.partitions.map((p) => [p.translated, p.consumedRecords]),
  );
  const verdicts = JSON.parse(await readFile(join(s.dir, 'verification.json'), 'utf8')) as VerifyReport;
  for (const p of both.groups[1]!.partitions) {
    assert.equal(p.consumedRecords, 0);
    const firstCopy = verdicts.partitions.find((v) => v.destinationPartition === p.destinationPartition)!.anchors!.first.offset;
    assert.equal(p.translated, firstCopy);
  }
});

test('a group continues on the destination at the next record after an unfiltered same copy', async () => {
  const s = await scenario('unfiltered', 2, 2, null);
  const { onDestination } = await continueOnDestination(s);
  assert.deepEqual([...s.onSource, ...onDestination].sort(), [...s.all].sort());
});

test('offsets accepts a plan verified in shards once the shards cover it, and names the missing ones before', async () => {
  const { source, destination } = sides();
  const s = await scenario('sharded', 2, 2, { kind: 'key-prefix', prefix: TENANT }, false, async (p, dir) => {
    await copyPlan(p, { source, destination, stateDir: dir });
    const first = await verifyPlan(p, { source, destination, stateDir: dir, shard: { index: 0, count: 2 } });
    assert.equal(first.passed, true);
    await assert.rejects(
      translateOffsets(p, { source, destination, stateDir: dir, groups: ['any'] }),
      /offsets refused: verify shard\(s\) 1\/2 have no verdict yet/,
    );
    assert.equal((await verifyPlan(p, { source, destination, stateDir: dir, shard: { index: 1, count: 2 } })).passed, true);
  });
  const { onDestination } = await continueOnDestination(s);
  assert.deepEqual([...s.onSource, ...onDestination].sort(), [...s.all].sort());
});

test('offsets given a follow-up plan refuses a group still inside an earlier plan of the chain, naming that plan', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('offsets-chain');
  // Partition 2 stays empty: no group commits an offset there, and no plan of the chain holds anything of it.
  await createTopic(sourceBootstrap, topic, 3);
  await createTopic(destinationBootstrap, topic, 3);
  const seed = (from: number) => produce(sourceBootstrap, topic, new Map([0, 1].map((p) => [p, sourceRecords(p, 30 + from).slice(from)])));
  await seed(0);
  const dir = await stateDir('offsets-chain');
  const [firstFile, secondFile] = [join(dir, 'b.plan.json'), join(dir, 'b.plan.2.json')];
  const first = await plan({
    topics: [topic],
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    filter: { kind: 'key-prefix', prefix: TENANT },
    exact: true,
  });
  await writePlanFile(firstFile, first);
  assert.equal((await copyAndVerify(first, join(dir, 'first'))).report.passed, true);
  await seed(30);
  const second = await plan({ from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true, after: { plan: first, planFile: firstFile } });
  await writePlanFile(secondFile, second);
  assert.equal((await copyAndVerify(second, join(dir, 'second'))).report.passed, true);
  // Each group takes its first `per` tenant records of each partition on the source (15 per partition are in the first plan).
  const consume = async (per: number) => {
    const group = uniqueName('group');
    const mine = (taken: Consumed[], p: number) =>
      keysOf(
        taken.filter((m) => m.partition === p),
        (k) => k.startsWith(TENANT),
      ).length;
    await consumeAsGroup(sourceBootstrap, group, topic, {
      take: (message, taken) => mine(taken, message.partition) < per,
      enough: (taken) => [0, 1].every((p) => mine(taken, p) >= per),
    });
    return group;
  };
  const inFirst = await consume(5);
  const translateWith = (p: Plan, state: string, group: string) => translate(p, join(dir, state), group);
  const quoted = firstFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await assert.rejects(
    translateWith(second, 'second', inFirst),
    new RegExp(
      `group ${inFirst} has consumed only up to offset \\d+ of ${topic}\\[0\\], before this follow-up plan's range \\(from 30\\): give ${quoted}, whose range holds it`,
    ),
  );
  await assert.rejects(
    translateWith(second, 'second', uniqueName('group')),
    new RegExp(`has no committed offset on .*: give ${quoted}, the first plan of the chain`),
  );
  const withFirst = await translateWith(first, 'first', inFirst);
  assert.deepEqual(
    withFirst.groups[0]!.partitions.map((p) => p.consumedRecords),
    [5, 5, 0],
  );
  // A group past the first plan's end: the follow-up plan holds its position, so it translates there.
  const inSecond = await consume(20);
  const withSecond = await translateWith(second, 'second', inSecond);
  assert.deepEqual(
    withSecond.groups[0]!.partitions.map((p) => p.consumedRecords),
    [5, 5, 0],
  );
});

test('key-hash: the group skips nothing and sees twice exactly the records the translation reports', async () => {
  const s = await scenario('key-hash', 3, 2, { kind: 'key-prefix', prefix: TENANT });
  const { report, onDestination } = await continueOnDestination(s);
  const seen = counts([...s.onSource, ...onDestination]);
  assert.deepEqual([...seen.keys()].sort(), [...s.all].sort(), 'no planned record missing');
  const twice = [...seen.values()].filter((n) => n > 1).length;
  assert.ok(twice > 0, 'the copy interleaved consumed and unconsumed records: some are seen twice');
  assert.ok([...seen.values()].every((n) => n <= 2));
  const replayed = report.groups[0]!.partitions.reduce((n, p) => n + p.replayedRecords, 0);
  assert.equal(replayed, twice, 'the reported replay count is what the consumer saw twice');
});

test('offsets refuses a group with an active member and a backwards move without --allow-replay', async () => {
  const s = await scenario('refusals', 2, 2, { kind: 'key-prefix', prefix: TENANT });
  // The group consumes everything on the destination: its offsets there lie past the translated ones.
  await consumeAsGroup(sides().destinationBootstrap, s.group, s.topic, { idleMs: 2_000 });

  const member = groupMember(sides().destinationBootstrap, s.group);
  try {
    const stream = await member.consume({ topics: [s.topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
    await assert.rejects(translate(s.plan, s.dir, s.group, { execute: true, allowReplay: true }), /group \S+ has 1 active member on the destination/);
    await stream.close();
  } finally {
    await member.close();
  }

  await assert.rejects(translate(s.plan, s.dir, s.group, { execute: true }), /would move backwards on .* nothing committed/);
  const destination = cluster(sides().destinationBootstrap);
  try {
    const before = await destination.committedOffsets(s.group, s.topic, [0, 1]);
    const dryRun = await translate(s.plan, s.dir, s.group);
    assert.ok(dryRun.groups[0]!.partitions.every((p) => p.move === 'backward' && p.destinationCommitted === String(before.get(p.destinationPartition))));
    const replayed = await translate(s.plan, s.dir, s.group, { execute: true, allowReplay: true });
    assert.equal(replayed.groups[0]!.committed, true);
    const after = await destination.committedOffsets(s.group, s.topic, [0, 1]);
    for (const p of replayed.groups[0]!.partitions) assert.equal(after.get(p.destinationPartition), BigInt(p.translated));
  } finally {
    await destination.close();
  }
});

test('reroute --groups commits the translated offsets after verify, and offsets --json reports and refuses as the CLI', async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('offsets-cli');
  await createTopic(sourceBootstrap, topic, 2);
  await createTopic(destinationBootstrap, topic, 2);
  const seeded = new Map([0, 1].map((p) => [p, sourceRecords(p, 30)]));
  await produce(sourceBootstrap, topic, seeded);
  const planned = (key: string) => key.startsWith(TENANT);
  const all = [...seeded.values()]
    .flat()
    .map((r) => r.key!.toString())
    .filter(planned);
  const group = uniqueName('group');
  const onSource = keysOf(
    await consumeAsGroup(sourceBootstrap, group, topic, {
      take: (message, taken) =>
        keysOf(
          taken.filter((m) => m.partition === message.partition),
          planned,
        ).length < 5,
      enough: (taken) =>
        [0, 1].every(
          (p) =>
            keysOf(
              taken.filter((m) => m.partition === p),
              planned,
            ).length >= 5,
        ),
    }),
    planned,
  );
  const planFile = join(await stateDir('offsets-cli'), 'b.plan.json');
  const clusters = ['--source', sourceBootstrap, '--destination', destinationBootstrap];
  const json = async (args: string[], exitCode: number) => {
    const run = await runKreroute(['--json', ...args]);
    assert.equal(run.code, exitCode, `kreroute ${args.join(' ')}: exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    return checkedJsonLines(run.stdout);
  };

  const rerouted = await json(['reroute', ...clusters, '--topic', topic, '--key-prefix', TENANT, '--out', planFile, '--groups', group], 0);
  const stage = rerouted.find((l) => l['kind'] === 'reroute-stage' && l['stage'] === 'offsets');
  assert.ok(stage, 'reroute reports its offsets stage');
  assert.equal((stage['report'] as OffsetsReport).groups[0]!.committed, true);
  const onDestination = keysOf(await consumeAsGroup(destinationBootstrap, group, topic, { idleMs: 2_000 }), planned);
  assert.deepEqual([...onSource, ...onDestination].sort(), [...all].sort());

  // The group now stands past the translated offsets on the destination: a dry run says so, --execute refuses.
  const dryRun = await json(['offsets', planFile, ...clusters, '--group', group], 0);
  const report = dryRun.at(-1)!['report'] as OffsetsReport;
  assert.equal(report.execute, false);
  assert.ok(report.groups[0]!.partitions.every((p) => p.move === 'backward'));
  const refused = await json(['offsets', planFile, ...clusters, '--group', group, '--execute'], 2);
  assert.match(String(refused.at(-1)?.['message']), /would move backwards/);
});
