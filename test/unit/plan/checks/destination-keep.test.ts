import assert from 'node:assert/strict';
import test from 'node:test';
import { DEFAULT_KEEP_MARGIN_MS, type KeepFacts, type PlannedPartition, destinationKeepProblems } from '../../../../src/plan/checks/destination-keep.ts';
import { keepFactsOf } from '../../../../src/plan/checks/keep-facts.ts';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.UTC(2026, 11, 6, 12);
const timing = { now, marginMs: DEFAULT_KEEP_MARGIN_MS };

function facts(configs: Record<string, string>, partitions: Array<Partial<PlannedPartition>>, extra: Partial<KeepFacts> = {}): KeepFacts {
  return {
    topic: 'orders',
    configs: new Map(Object.entries(configs)),
    partitions: partitions.map((p, i) => ({ partition: i, records: 100, bytes: 10_000, existingBytes: 0, oldest: now - DAY, newest: now - DAY / 2, ...p })),
    keyless: 0,
    exact: true,
    ...extra,
  };
}

test('records 10 days old into 7 days of retention: refused with the setting, the records and the way out', () => {
  const problems = destinationKeepProblems(
    facts({ 'retention.ms': '604800000' }, [
      { records: 2500, oldest: now - 10 * DAY, newest: now - 10 * DAY + 1000 },
      { records: 2500, oldest: now - 10 * DAY, newest: now - 10 * DAY + 1000 },
    ]),
    timing,
  );
  assert.equal(problems.length, 1);
  const [p] = problems;
  assert.equal(p!.setting, 'retention.ms');
  assert.equal(p!.kind, 'drops');
  assert.equal(p!.records, 5000);
  assert.equal(p!.upTo, false, 'every record is past the cutoff: an exact count');
  assert.match(p!.message, /^destination orders: retention\.ms=604800000 keeps records for 7\.0 days, the oldest planned record is 10\.0 days old/);
  assert.match(p!.message, /would delete 5000 planned record\(s\)/);
  assert.match(
    p!.message,
    /kafka-configs --bootstrap-server <destination> --alter --entity-type topics --entity-name orders --add-config retention\.ms=950400000/,
  );
  assert.doesNotMatch(p!.message, /\n/);
  const named = destinationKeepProblems(facts({ 'retention.ms': '604800000' }, [{ oldest: now - 10 * DAY }], { bootstrap: 'new-1:9092,new-2:9092' }), timing);
  assert.match(named[0]!.message, /kafka-configs --bootstrap-server new-1:9092,new-2:9092 --alter/);
});

test('retention.ms: -1 keeps forever; records well inside retention pass; the margin counts', () => {
  assert.deepEqual(destinationKeepProblems(facts({ 'retention.ms': '-1' }, [{ oldest: now - 400 * DAY }]), timing), []);
  assert.deepEqual(destinationKeepProblems(facts({ 'retention.ms': '604800000' }, [{ oldest: now - 5 * DAY }]), timing), []);
  const nearEdge = destinationKeepProblems(facts({ 'retention.ms': '604800000' }, [{ oldest: now - 6.5 * DAY, newest: now }]), timing);
  assert.equal(nearEdge.length, 1, 'within a day of deletion: refused');
  assert.equal(nearEdge[0]!.upTo, true, 'only some records are that old: an upper bound');
  assert.match(nearEdge[0]!.message, /up to 100 planned record/);
});

test('no retention.ms in the configs: Kafka 7 days default is assumed', () => {
  assert.equal(destinationKeepProblems(facts({}, [{ oldest: now - 8 * DAY }]), timing)[0]?.setting, 'retention.ms');
});

test('retention.bytes per partition: copies that do not fit are lost; older data they push out is a warning', () => {
  assert.deepEqual(destinationKeepProblems(facts({ 'retention.bytes': '-1' }, [{ bytes: 10 ** 9 }]), timing), []);
  assert.deepEqual(destinationKeepProblems(facts({ 'retention.bytes': '100000' }, [{ bytes: 50_000, existingBytes: 40_000 }]), timing), []);
  const [lost] = destinationKeepProblems(facts({ 'retention.bytes': '100000' }, [{ bytes: 150_000, existingBytes: 0 }, { bytes: 1000 }]), timing);
  assert.equal(lost?.setting, 'retention.bytes');
  assert.equal(lost?.kind, 'drops');
  assert.equal(lost?.records, 100);
  assert.match(lost!.message, /keeps 100000 byte\(s\) per partition, 150000 byte\(s\) are planned into partition 0/);
  const [pushed, ...rest] = destinationKeepProblems(
    facts({ 'retention.bytes': '100000' }, [{ bytes: 50_000, existingBytes: 60_000 }, { bytes: 1000 }]),
    timing,
  );
  assert.equal(rest.length, 0);
  assert.equal(pushed?.kind, 'displaces');
  assert.match(pushed!.message, /pushes about 10000 byte\(s\) of older data out of partition 0 \(it holds 60000, 50000 planned/);
  assert.deepEqual(
    destinationKeepProblems({ ...facts({ 'retention.bytes': '100000' }, [{ bytes: 0, existingBytes: 500_000 }]), written: true }, timing),
    [],
    'written copies: the anchor read-back decides',
  );
});

test('a compacted destination refuses keyless records; keyed ones and uncounted ones pass', () => {
  const [p] = destinationKeepProblems(facts({ 'cleanup.policy': 'compact,delete' }, [{}], { keyless: 7 }), timing);
  assert.equal(p?.setting, 'cleanup.policy');
  assert.equal(p?.kind, 'refuses');
  assert.equal(p?.records, 7);
  assert.deepEqual(destinationKeepProblems(facts({ 'cleanup.policy': 'compact' }, [{}], { keyless: 0 }), timing), []);
  assert.deepEqual(destinationKeepProblems(facts({ 'cleanup.policy': 'delete' }, [{}], { keyless: 7 }), timing), []);
});

test('records from the future: message.timestamp.after.max.ms (1 hour by default since Kafka 4)', () => {
  const future = [{ records: 2000, oldest: now + 2 * DAY, newest: now + 2 * DAY + 1000 }];
  for (const configs of [{ 'message.timestamp.after.max.ms': '3600000' }, {}] as Array<Record<string, string>>) {
    const [p] = destinationKeepProblems(facts(configs, future), timing);
    assert.equal(p?.setting, 'message.timestamp.after.max.ms');
    assert.equal(p?.kind, 'refuses');
    assert.equal(p?.records, 2000);
    assert.match(p!.message, /the newest planned record is 2\.0 days ahead/);
  }
  assert.deepEqual(destinationKeepProblems(facts({ 'message.timestamp.after.max.ms': String(3 * DAY) }, future), timing), []);
});

test('records too old for message.timestamp.before.max.ms', () => {
  const [p] = destinationKeepProblems(facts({ 'retention.ms': '-1', 'message.timestamp.before.max.ms': String(3 * DAY) }, [{ oldest: now - 5 * DAY }]), timing);
  assert.equal(p?.setting, 'message.timestamp.before.max.ms');
  assert.equal(p?.kind, 'refuses');
});

test('tiered storage: local.retention.* does not delete, retention.ms still does', () => {
  const tiered = { 'remote.storage.enable': 'true', 'local.retention.ms': '60000', 'local.retention.bytes': '1000', 'retention.ms': '-1' };
  assert.deepEqual(destinationKeepProblems(facts(tiered, [{ oldest: now - 30 * DAY }]), timing), []);
  assert.equal(destinationKeepProblems(facts({ ...tiered, 'retention.ms': '604800000' }, [{ oldest: now - 30 * DAY }]), timing)[0]?.setting, 'retention.ms');
});

test('timestamps not known: no time check can be made (the callers look them up)', () => {
  assert.deepEqual(destinationKeepProblems(facts({ 'retention.ms': '1000' }, [{ oldest: null, newest: null }]), timing), []);
});

test('keepFactsOf: key-hash ranges count as one partition holding them all, the fullest', () => {
  const f = keepFactsOf(
    't',
    new Map(),
    [
      { destinationPartition: null, records: 10, bytes: 100, oldest: 5, newest: 9, keyless: 0 },
      { destinationPartition: null, records: 20, bytes: 200, oldest: 3, newest: 7, keyless: 2 },
    ],
    3,
    new Map([
      [0, 1],
      [1, 500],
      [2, 3],
    ]),
    true,
  );
  assert.deepEqual(f.partitions, [{ partition: 1, records: 30, bytes: 300, existingBytes: 500, oldest: 3, newest: 9 }]);
  assert.equal(f.keyless, 2);
  const unknown = keepFactsOf('t', new Map(), [{ destinationPartition: 0, records: 1, bytes: 1, oldest: 1, newest: 1, keyless: null }], 1, null, false);
  assert.equal(unknown.keyless, null);
  assert.equal(unknown.partitions[0]!.existingBytes, null);
});

test('records already written (verify, purge): timestamp windows no longer apply; a compacted topic deletes keyless records', () => {
  const future = [{ records: 2000, oldest: now + 2 * DAY, newest: now + 2 * DAY + 1000 }];
  assert.deepEqual(destinationKeepProblems(facts({}, future, { written: true }), timing), []);
  assert.deepEqual(
    destinationKeepProblems(
      facts({ 'retention.ms': '-1', 'message.timestamp.before.max.ms': String(DAY) }, [{ oldest: now - 5 * DAY }], { written: true }),
      timing,
    ),
    [],
  );
  const [compacted] = destinationKeepProblems(facts({ 'cleanup.policy': 'compact' }, [{}], { keyless: 3, written: true }), timing);
  assert.equal(compacted?.kind, 'drops');
  assert.match(compacted!.message, /its cleaner deletes records without a key: the destination would delete 3 planned record/);
  assert.equal(
    destinationKeepProblems(facts({ 'retention.ms': '604800000' }, [{ oldest: now - 10 * DAY }], { written: true }), timing)[0]?.setting,
    'retention.ms',
    'retention still deletes',
  );
});
