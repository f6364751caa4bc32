import assert from 'node:assert/strict';
import test from 'node:test';
import { parseDuration, parseFilter, parseMapping, parseRangePoint, parseRate, parseRegex, parseTopics } from '../../../../src/cli/options/options.ts';
import { copyTuningFromFlags } from '../../../../src/cli/options/copy-options.ts';
import { planRequestFromFlags } from '../../../../src/cli/options/plan-options.ts';
import { KrerouteError } from '../../../../src/common/errors.ts';

/** A one-line BAD_INPUT error whose text matches `pattern`. */
const badInput = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof KrerouteError, `a KrerouteError, got ${String(error)}`);
  assert.equal(error.code, 'BAD_INPUT');
  assert.equal(error.exitCode, 2);
  assert.ok(!error.oneLine().includes('\n'));
  assert.match(error.oneLine(), pattern);
  return true;
};

test('--from / --to: earliest, latest and offsets', () => {
  assert.deepEqual(parseRangePoint('earliest', '--from'), { kind: 'earliest' });
  assert.deepEqual(parseRangePoint('latest', '--to'), { kind: 'latest' });
  assert.deepEqual(parseRangePoint('offset:1200', '--from'), { kind: 'offset', offset: 1200n });
  assert.deepEqual(parseRangePoint('offset:0', '--to'), { kind: 'offset', offset: 0n });
  assert.deepEqual(parseRangePoint('offset:92233720368547758070', '--to'), { kind: 'offset', offset: 92233720368547758070n });
});

test('--from / --to: ISO 8601 times and epoch milliseconds', () => {
  assert.deepEqual(parseRangePoint('time:2026-11-01T00:00:00Z', '--from'), { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 10, 1)) });
  assert.deepEqual(parseRangePoint('time:2026-11-01T01:30:00+01:00', '--from'), { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 10, 1, 0, 30)) });
  assert.deepEqual(parseRangePoint('time:2026-11-01T00:00:00.250Z', '--to'), { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 10, 1) + 250) });
  assert.deepEqual(parseRangePoint('time:2026-11-01', '--to'), { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 10, 1)) });
  assert.deepEqual(parseRangePoint('time:1793491200000', '--from'), { kind: 'timestamp', ms: 1793491200000n });
});

test('--from / --to: every ISO 8601 form docs/commands.md shows', () => {
  const at = (text: string) => parseRangePoint(`time:${text}`, '--from');
  assert.deepEqual(at('2024-02-29'), { kind: 'timestamp', ms: BigInt(Date.UTC(2024, 1, 29)) });
  assert.deepEqual(at('2000-02-29T23:59Z'), { kind: 'timestamp', ms: BigInt(Date.UTC(2000, 1, 29, 23, 59)) });
  assert.deepEqual(at('2026-12-31T23:59:59.999Z'), { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 11, 31, 23, 59, 59, 999)) });
  assert.deepEqual(at('2026-11-01T00:00:00.5Z'), { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 10, 1) + 500) });
  assert.deepEqual(at('2026-11-01t00:00z'), { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 10, 1)) });
  assert.deepEqual(at('2026-11-01T00:00:00-05:30'), { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 10, 1, 5, 30)) });
  assert.deepEqual(at('2026-11-01T00:00+23:59'), { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 10, 1) - (23 * 60 + 59) * 60_000) });
});

test('--from / --to: a date or time that does not exist is refused, not rolled over', () => {
  const refused: Array<[string, RegExp]> = [
    ['2026-02-30', /time:2026-02-30 is not a real date or time: February 2026 has 28 days/],
    ['2026-13-01', /month 13 does not exist/],
    ['2026-00-10', /month 00 does not exist/],
    ['2025-02-29', /February 2025 has 28 days/],
    ['1900-02-29', /February 1900 has 28 days/],
    ['2026-04-31T00:00:00Z', /April 2026 has 30 days/],
    ['2026-01-00', /January 2026 has 31 days/],
    ['2026-01-01T24:61Z', /24:61 is not a time of day/],
    ['2026-01-01T24:00:00Z', /24:00:00 is not a time of day/],
    ['2026-01-01T12:60Z', /12:60 is not a time of day/],
    ['2026-01-01T23:59:60Z', /23:59:60 is not a time of day/],
    ['2026-01-01T10:00+24:00', /\+24:00 is not a time zone offset/],
    ['2026-01-01T10:00-05:60', /-05:60 is not a time zone offset/],
  ];
  for (const flag of ['--from', '--to'] as const) {
    for (const [text, message] of refused) {
      assert.throws(() => parseRangePoint(`time:${text}`, flag), badInput(new RegExp(`^${flag}: .*${message.source}.*e\\.g\\. time:2026-11-01`)), text);
    }
  }
});

test('--from / --to: clear errors', () => {
  assert.throws(() => parseRangePoint('latest', '--from'), badInput(/^--from: "latest" is not a start/));
  assert.throws(() => parseRangePoint('earliest', '--to'), badInput(/^--to: /));
  assert.throws(() => parseRangePoint('offset:-1', '--from'), badInput(/--from: "-1" is not an offset/));
  assert.throws(() => parseRangePoint('offset:abc', '--from'), badInput(/offset:1200/));
  assert.throws(() => parseRangePoint('yesterday', '--from'), badInput(/earliest, offset:N or time:/));
  assert.throws(() => parseRangePoint('time:2026-11-01T00:00:00', '--from'), badInput(/no time zone.*time:2026-11-01T00:00:00Z/));
  assert.throws(() => parseRangePoint('time:1793491200', '--from'), badInput(/looks like seconds.*time:1793491200000/));
  assert.throws(() => parseRangePoint('time:2026-13-45T00:00:00Z', '--to'), badInput(/month 13 does not exist/));
  assert.throws(() => parseRangePoint('time:next week', '--to'), badInput(/not an ISO 8601 time/));
});

test('filters: each kind, and only one at a time', () => {
  assert.equal(parseFilter({}), undefined);
  assert.deepEqual(parseFilter({ keyPrefix: 'tenant-b:' }), { kind: 'key-prefix', prefix: 'tenant-b:' });
  assert.deepEqual(parseFilter({ keyRegex: '^tenant-(b|c):' }), { kind: 'key-regex', pattern: '^tenant-(b|c):' });
  assert.deepEqual(parseFilter({ header: 'tenant=b' }), { kind: 'header', name: 'tenant', value: 'b' });
  assert.deepEqual(parseFilter({ header: 'x-tenant=a=b' }), { kind: 'header', name: 'x-tenant', value: 'a=b' });
  assert.deepEqual(parseFilter({ jsonField: 'customer.tenant=b' }), { kind: 'json-field', path: 'customer.tenant', value: 'b' });
  assert.throws(() => parseFilter({ keyPrefix: 'a', header: 'tenant=b' }), badInput(/--key-prefix and --header: only one filter/));
  assert.throws(() => parseFilter({ header: 'tenant' }), badInput(/--header: "tenant" is not NAME=VALUE/));
  assert.throws(() => parseFilter({ header: '=b' }), badInput(/--header/));
  assert.throws(() => parseFilter({ jsonField: 'a..b=c' }), badInput(/--json-field: "a\.\.b" is not a field path/));
  assert.throws(() => parseFilter({ keyRegex: '(' }), badInput(/--key-regex: "\(" is not a regular expression/));
  assert.throws(() => parseFilter({ keyPrefix: '' }), badInput(/--key-prefix: the prefix is empty/));
});

test('topics, regex, mapping, numbers and rates', () => {
  assert.deepEqual(parseTopics(['orders', 'a,b', ' c ', 'orders']), ['orders', 'a', 'b', 'c']);
  assert.throws(() => parseTopics(['bad topic']), badInput(/--topic: "bad topic" is not a valid topic name/));
  assert.equal(parseRegex('orders-.*', '--topic-regex'), 'orders-.*');
  assert.equal(parseMapping('key-hash'), 'key-hash');
  assert.throws(() => parseMapping('hash'), badInput(/--mapping: "hash"/));
  assert.equal(parseRate('5000'), 5000);
  assert.equal(parseRate('5k'), 5000);
  assert.equal(parseRate('1.5M'), 1_500_000);
  assert.throws(() => parseRate('fast'), badInput(/--max-rate: "fast" is not a rate/));
  assert.throws(() => parseRate('0'), badInput(/--max-rate/));
});

test('copy flags become copy options', () => {
  assert.deepEqual(copyTuningFromFlags({}), {});
  assert.deepEqual(copyTuningFromFlags({ maxRate: '20k', acceptOverlap: true, mode: 'at-least-once', checkpointTopic: 'ops.kreroute', passthrough: false }), {
    maxRatePerSec: 20_000,
    acceptOverlap: true,
    mode: 'at-least-once',
    checkpointTopic: 'ops.kreroute',
    passthrough: false,
  });
  assert.deepEqual(copyTuningFromFlags({ passthrough: true }), {});
  assert.throws(() => copyTuningFromFlags({ mode: 'exactly' }), badInput(/--mode: "exactly" is not a delivery mode — use auto, exactly-once, at-least-once/));
  assert.throws(() => copyTuningFromFlags({ checkpointTopic: 'a b' }), badInput(/--checkpoint-topic/));
  assert.deepEqual(copyTuningFromFlags({ compression: 'zstd' }), { compression: 'zstd' });
  assert.throws(() => copyTuningFromFlags({ compression: 'brotli' }), badInput(/--compression: "brotli" is not a codec — use none, gzip, snappy, lz4, zstd/));
});

test('plan flags become a plan request', () => {
  const request = planRequestFromFlags({
    topic: ['orders'],
    from: 'time:2026-11-01T00:00:00Z',
    to: 'offset:5000',
    header: 'tenant=tenant-b',
    destTopic: 'orders-eu',
    mapping: 'same',
    exact: true,
    createTopics: true,
    out: 'plan.json',
  });
  assert.deepEqual(request, {
    topics: ['orders'],
    from: { kind: 'timestamp', ms: BigInt(Date.UTC(2026, 10, 1)) },
    to: { kind: 'offset', offset: 5000n },
    filter: { kind: 'header', name: 'tenant', value: 'tenant-b' },
    destinationTopic: 'orders-eu',
    mapping: 'same',
    exact: true,
    createTopics: true,
  });
});

test('plan flags: topic rules', () => {
  const base = { from: 'earliest', to: 'latest', mapping: 'same', out: 'p.json' };
  assert.deepEqual(planRequestFromFlags({ ...base, topicRegex: '^orders-.*' }).topicPattern, '^orders-.*');
  assert.throws(() => planRequestFromFlags({ ...base }), badInput(/no topic given/));
  assert.throws(() => planRequestFromFlags({ ...base, topic: ['a'], topicRegex: 'b' }), badInput(/only one can be given/));
  assert.throws(() => planRequestFromFlags({ ...base, topic: ['a', 'b'], destTopic: 'c' }), badInput(/--dest-topic: needs exactly one --topic/));
});

test('--wait-timeout: durations with a unit, seconds without one, 1 s at least', () => {
  assert.equal(parseDuration('90s', '--wait-timeout'), 90_000);
  assert.equal(parseDuration('5m', '--wait-timeout'), 300_000);
  assert.equal(parseDuration('1h', '--wait-timeout'), 3_600_000);
  assert.equal(parseDuration('1500ms', '--wait-timeout'), 1_500);
  assert.equal(parseDuration('30', '--wait-timeout'), 30_000);
  assert.equal(parseDuration('2.5m', '--wait-timeout'), 150_000);
  for (const bad of ['0', '500ms', 'soon', '-5s', '5 minutes'])
    assert.throws(
      () => parseDuration(bad, '--wait-timeout'),
      badInput(/^--wait-timeout: ".*" is not a duration of at least 1 s — give a number with a unit, e.g. --wait-timeout 90s/),
    );
});
