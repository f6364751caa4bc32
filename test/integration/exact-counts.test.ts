// plan --exact counts what a copy would move: committed records only, the filter applied. The
// oracle is kcat (librdkafka, read_committed) reading the same ranges. The source mixes plain
// records, committed and aborted transactions, and headers that only look like the tenant's.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer } from '@platformatic/kafka';
import type { Plan, RecordFilterSpec } from '../../src/index.ts';
import type { RecordContent } from '../../src/kafka/wire/record.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { readAllSourceAnchors, readSourceAnchors } from '../../src/plan/source-anchors.ts';
import { type KcatLine, kcatRead } from '../support/kcat-count.ts';

const PARTITIONS = [0, 1];
const TENANT: RecordFilterSpec = { kind: 'header', name: 'tenant', value: 'acme' };
/** How kcat's `%h` shows the header the filter looks for. */
const MATCH = 'tenant=acme';

/** Headers in turns: matching first, second or not at all, lookalikes, none. */
const HEADERS: Array<Array<[string, string]>> = [
  [['tenant', 'acme']],
  [['tenant', 'globex']],
  [
    ['tenant', 'globex'],
    ['tenant', 'acme'],
  ],
  [],
  [['tenant', 'acmex']],
  [
    ['region', 'eu'],
    ['tenant', 'acme'],
  ],
  [['Tenant', 'acme']],
];

/**
 * When the records were stamped. "live": at the time of writing, as most producers do, so each
 * transaction marker (stamped by the broker at commit) lies in time between its records and the
 * next ones. "replayed": an hour ago (event times, a replay), older than every marker.
 */
type Clock = 'live' | 'replayed';

function plainRecords(prefix: string, partition: number, count: number, timestampOf: (i: number) => bigint): RecordContent[] {
  return Array.from({ length: count }, (_, i) =>
    record(`${prefix}-${partition}-${i}`, `value ${i}`, { timestamp: timestampOf(i), headers: HEADERS[(i + partition) % HEADERS.length]! }),
  );
}

/** One transaction over both partitions, written by the client library's transactional producer (an independent writer). */
async function transaction(
  bootstrap: string,
  topic: string,
  prefix: string,
  count: number,
  commit: boolean,
  timestampOf: (i: number) => bigint,
): Promise<void> {
  const producer = new Producer({ clientId: 'kreroute-test-txn', bootstrapBrokers: [bootstrap], transactionalId: uniqueName('exact-txn'), idempotent: true });
  try {
    const txn = await producer.beginTransaction();
    await txn.send({
      messages: PARTITIONS.flatMap((partition) =>
        Array.from({ length: count }, (_, i) => ({
          topic,
          partition,
          key: Buffer.from(`${prefix}-${partition}-${i}`),
          value: Buffer.from(`value ${i}`),
          timestamp: timestampOf(i),
          headers: new Map([[Buffer.from('tenant'), Buffer.from((i + partition) % 3 === 1 ? 'globex' : 'acme')]]),
        })),
      ),
    });
    await (commit ? txn.commit() : txn.abort());
  } finally {
    await producer.close();
  }
}

/**
 * Waits (at most 10 s) until no transaction is open on the topic: the coordinator writes the
 * markers after the commit or abort returns, and the next block must come after them.
 */
async function waitForMarkers(bootstrap: string, topic: string): Promise<void> {
  const c = cluster(bootstrap);
  try {
    for (let i = 0; i < 100; i++) {
      const [stable, high] = await Promise.all([
        c.listOffsets(topic, PARTITIONS, { kind: 'latest' }, true),
        c.listOffsets(topic, PARTITIONS, { kind: 'latest' }, false),
      ]);
      if (stable.every((s) => high.find((h) => h.partition === s.partition)?.offset === s.offset)) return;
      await sleep(100);
    }
    throw new Error(`a transaction on ${topic} is still open after 10 s`);
  } finally {
    await c.close();
  }
}

interface Fixture {
  topic: string;
  /** Offsets of every data record (aborted ones too) on partition 0, by key. */
  offsets: Map<string, bigint>;
  /** Per partition, every data record (aborted ones too), as kcat read_uncommitted reads them. */
  everything: KcatLine[][];
  /** Timestamp of record i of a block (by its key prefix), the same on both partitions. */
  timestampOf: (prefix: string, i: number) => bigint;
}

/**
 * Both partitions, in this order: 14 plain records (a), committed transaction c1 (6 records a
 * partition), aborted x1 (6), 14 plain (b), committed c2 (6), aborted x2 (6), 14 plain (c).
 */
async function setUp(clock: Clock): Promise<Fixture> {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName(`exact-counts-${clock}`);
  await Promise.all([createTopic(sourceBootstrap, topic, PARTITIONS.length), createTopic(destinationBootstrap, topic, PARTITIONS.length)]);
  const starts = new Map<string, bigint>();
  const stamps = async (prefix: string) => {
    if (clock === 'live') await sleep(30);
    starts.set(prefix, clock === 'live' ? BigInt(Date.now()) : BigInt(Date.now()) - 3_600_000n + BigInt(starts.size * 1000));
    return (i: number) => starts.get(prefix)! + BigInt(i);
  };
  const plain = async (prefix: string) => {
    const timestampOf = await stamps(prefix);
    await produce(sourceBootstrap, topic, new Map(PARTITIONS.map((p) => [p, plainRecords(prefix, p, 14, timestampOf)])));
  };
  const txn = async (prefix: string, commit: boolean) => {
    await transaction(sourceBootstrap, topic, prefix, 6, commit, await stamps(prefix));
    await waitForMarkers(sourceBootstrap, topic);
  };
  await plain('a');
  await txn('c1', true);
  await txn('x1', false);
  await plain('b');
  await txn('c2', true);
  await txn('x2', false);
  await plain('c');
  const everything = await Promise.all(
    PARTITIONS.map((partition) => kcatRead(sourceBootstrap, topic, partition, ['-o', 'beginning'], { readUncommitted: true })),
  );
  assert.deepEqual(
    everything.map((lines) => lines.length),
    PARTITIONS.map(() => 3 * 14 + 4 * 6),
    'kcat read_uncommitted sees every data record',
  );
  return { topic, offsets: new Map(everything[0]!.map((l) => [l.key, l.offset])), everything, timestampOf: (prefix, i) => starts.get(prefix)! + BigInt(i) };
}

const matches = (line: KcatLine) => line.headers.includes(MATCH);

/** Per partition, the plan's exact counts equal kcat's: matching records, the others, and their sum in the estimate. */
function assertCounts(p: Plan, kcat: KcatLine[][]): void {
  const partitions = p.topics[0]!.partitions;
  assert.deepEqual(
    partitions.map((x) => [x.partition, x.exact!.records, x.exact!.otherRecords]),
    kcat.map((lines, partition) => [partition, lines.filter(matches).length, lines.length - lines.filter(matches).length]),
  );
  assert.equal(p.estimate.exact, true);
  assert.equal(p.estimate.records, kcat.flat().filter(matches).length);
}

/** A time range from inside committed transaction c1 to inside aborted transaction x2, header filter: plan and kcat count the same. */
async function timeRange(fixture: Fixture): Promise<void> {
  const { sourceBootstrap } = sides();
  const { topic } = fixture;
  const from = fixture.timestampOf('c1', 2);
  const to = fixture.timestampOf('x2', 3);
  const kcat = await Promise.all(PARTITIONS.map((partition) => kcatRead(sourceBootstrap, topic, partition, ['-o', `s@${from}`, '-o', `e@${to}`])));
  for (const [partition, lines] of kcat.entries()) {
    const keys = lines.map((l) => l.key);
    assert.deepEqual(
      [keys[0], keys.at(-1)],
      [`c1-${partition}-2`, `c2-${partition}-5`],
      'kcat read from the committed transaction to just before the aborted one',
    );
    assert.ok(!keys.some((k) => k.startsWith('x')), 'and no aborted record');
  }
  const p = await plan({ topics: [topic], from: { kind: 'timestamp', ms: from }, to: { kind: 'timestamp', ms: to }, filter: TENANT, exact: true });
  assertCounts(p, kcat);
  assert.ok(p.estimate.records > 0 && p.topics[0]!.partitions.every((x) => x.exact!.otherRecords > 0));
}

describe('plan --exact counts what kcat reads (read_committed) in the same range', () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await setUp('live');
  });

  test('an offset range from inside an aborted transaction to inside a committed one, header filter', async () => {
    const { sourceBootstrap } = sides();
    const { topic, offsets } = fixture;
    const from = offsets.get('x1-0-3')!;
    const to = offsets.get('c2-0-3')!;
    const p = await plan({ topics: [topic], from: { kind: 'offset', offset: from }, to: { kind: 'offset', offset: to }, filter: TENANT, exact: true });
    assert.deepEqual(
      p.topics[0]!.partitions.map((x) => [x.start, x.end]),
      PARTITIONS.map(() => [String(from), String(to)]),
    );

    const kcat = await Promise.all(
      PARTITIONS.map(async (partition) => (await kcatRead(sourceBootstrap, topic, partition, ['-o', String(from)])).filter((l) => l.offset < to)),
    );
    // The oracle read what it should: the committed records in the range, no aborted one.
    for (const [partition, lines] of kcat.entries()) {
      const inRange = fixture.everything[partition]!.filter((l) => l.offset >= from && l.offset < to).map((l) => l.key);
      assert.deepEqual(
        lines.map((l) => l.key),
        inRange.filter((k) => !k.startsWith('x')),
      );
      assert.ok(
        inRange.some((k) => k.startsWith('x')) && inRange.some((k) => k.startsWith('c2')),
        'the range starts in an aborted transaction and ends in a committed one',
      );
    }
    assertCounts(p, kcat);
    assert.ok(
      p.topics[0]!.partitions.every((x) => x.upperBound > x.exact!.records + x.exact!.otherRecords),
      'the range also holds aborted and control records',
    );
    assert.ok(p.estimate.records > 0 && p.topics[0]!.partitions.every((x) => x.exact!.otherRecords > 0));
  });

  test('a time range from inside a committed transaction to inside an aborted one, header filter', () => timeRange(fixture));

  test('the anchors plan reads in place from stored batches are the ones a decoded read finds, over aborted records and markers', async () => {
    const { sourceBootstrap } = sides();
    const { topic, offsets } = fixture;
    const source = cluster(sourceBootstrap);
    try {
      // Starting inside the aborted x1, ending inside the aborted x2 (the last committed record lies further back).
      const ranges = [
        [offsets.get('x1-0-3')!, offsets.get('x2-0-3')!],
        [0n, offsets.get('c2-0-3')!],
        [offsets.get('x1-0-0')!, offsets.get('x1-0-5')! + 1n],
      ] as const;
      for (const [start, end] of ranges) {
        const inPlace = await readAllSourceAnchors(
          source,
          PARTITIONS.map((partition) => ({ topic, partition, start, end })),
        );
        const decoded = await Promise.all(PARTITIONS.map((partition) => readSourceAnchors(source, topic, partition, start, end)));
        assert.deepEqual(inPlace, decoded, `range ${start}..${end}`);
      }
      const [whole] = await readAllSourceAnchors(source, [{ topic, partition: 0, start: offsets.get('x1-0-3')!, end: offsets.get('x2-0-3')! }]);
      assert.equal(whole?.first.offset, String(offsets.get('b-0-0')), 'the first committed record after the aborted ones');
      assert.equal(whole?.last.offset, String(offsets.get('c2-0-5')), 'the last committed record before the aborted ones');
      const [aborted] = await readAllSourceAnchors(source, [{ topic, partition: 0, start: offsets.get('x1-0-0')!, end: offsets.get('x1-0-5')! + 1n }]);
      assert.equal(aborted, null, 'a range of aborted records only has no anchors');
    } finally {
      await source.close();
    }
  });

  test('the whole topic, no filter: every committed record, none other', async () => {
    const { sourceBootstrap } = sides();
    const p = await plan({ topics: [fixture.topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, exact: true });
    const kcat = await Promise.all(PARTITIONS.map((partition) => kcatRead(sourceBootstrap, fixture.topic, partition, ['-o', 'beginning'])));
    assert.deepEqual(
      kcat.map((lines) => lines.length),
      PARTITIONS.map(() => 3 * 14 + 2 * 6),
    );
    assert.deepEqual(
      p.topics[0]!.partitions.map((x) => [x.exact!.records, x.exact!.otherRecords]),
      kcat.map((lines) => [lines.length, 0]),
    );
    assert.equal(p.estimate.records, kcat.flat().length);
  });
});

// ListOffsets by timestamp also matches transaction markers, stamped at commit time. When the
// records are older than their markers (event times, a replay), it answers the first marker after
// the bound (here the end of c1, so nearly all of the range would be left out); plan reads on to
// the first record at or after the bound, where kcat's e@ stops.
test('a time range over records older than their transaction markers counts as kcat does', async () => {
  await timeRange(await setUp('replayed'));
});
