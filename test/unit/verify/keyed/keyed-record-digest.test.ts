import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasShortestVarints } from '../../../../src/verify/keyed-canonical-record.ts';
import { StoredRecordDigest } from '../../../../src/verify/keyed/keyed-record-digest.ts';

/** A stored record's key, value and headers, each length a zigzag varint padded to `width` bytes when asked. */
function stored(key: string | null, value: string, headers: Array<[string, string | null]>, width = 1): Buffer {
  const varint = (n: number): number[] => {
    let raw = ((n << 1) ^ (n >> 31)) >>> 0;
    const out: number[] = [];
    do {
      out.push(raw & 0x7f);
      raw >>>= 7;
    } while (raw > 0);
    while (out.length < width) out.push(0);
    return out.map((b, i) => (i < out.length - 1 ? b | 0x80 : b));
  };
  const field = (text: string | null): number[] => (text === null ? varint(-1) : [...varint(Buffer.byteLength(text)), ...Buffer.from(text)]);
  return Buffer.from([...field(key), ...field(value), ...varint(headers.length), ...headers.flatMap(([k, v]) => [...field(k), ...field(v)])]);
}

test('a record stored with padded varints digests as its shortest encoding, with or without its timestamp', () => {
  const shortest = stored('user-1', 'x'.repeat(200), [
    ['tenant', 'b'],
    ['trace', null],
  ]);
  const padded = stored(
    'user-1',
    'x'.repeat(200),
    [
      ['tenant', 'b'],
      ['trace', null],
    ],
    3,
  );
  assert.equal(hasShortestVarints(shortest, 0, shortest.length), true);
  assert.equal(hasShortestVarints(padded, 0, padded.length), false);
  assert.ok(padded.length > shortest.length);
  for (const fields of ['all', 'all-but-timestamp'] as const) {
    const digests = new StoredRecordDigest(fields);
    assert.deepEqual(digests.of(padded, 0, padded.length, 1_700_000_000_123), digests.of(shortest, 0, shortest.length, 1_700_000_000_123));
  }
});

test('the digest covers the timestamp unless the plan says not to, and every field', () => {
  const record = stored(null, 'v', []);
  const all = new StoredRecordDigest('all');
  assert.notDeepEqual(all.of(record, 0, record.length, 1), all.of(record, 0, record.length, 2));
  const noTime = new StoredRecordDigest('all-but-timestamp');
  assert.deepEqual(noTime.of(record, 0, record.length, 1), noTime.of(record, 0, record.length, 2));
  const emptyKey = stored('', 'v', []);
  assert.notDeepEqual(all.of(record, 0, record.length, 1), all.of(emptyKey, 0, emptyKey.length, 1), 'null key apart from empty');
  const inPlace = Buffer.concat([Buffer.from('before'), record, Buffer.from('after')]);
  assert.deepEqual(all.of(inPlace, 6, 6 + record.length, 1), all.of(record, 0, record.length, 1), 'read in place');
});

test('a record trace (duplicate search) is alike for one record however stored, and apart for timestamps and fields as the digest is', async () => {
  const { RecordTracer } = await import('../../../../src/verify/record-trace.ts');
  const trace = (tracer: InstanceType<typeof RecordTracer>, bytes: Buffer, start: number, end: number, timestamp: number) => ({
    ...tracer.of(bytes, start, end, timestamp, { lo: 0, hi: 0 }),
  });
  const shortest = stored('user-1', 'x'.repeat(200), [
    ['tenant', 'b'],
    ['trace', null],
  ]);
  const padded = stored(
    'user-1',
    'x'.repeat(200),
    [
      ['tenant', 'b'],
      ['trace', null],
    ],
    3,
  );
  for (const fields of ['all', 'all-but-timestamp'] as const) {
    const tracer = new RecordTracer(fields);
    assert.deepEqual(trace(tracer, padded, 0, padded.length, 1_700_000_000_123), trace(tracer, shortest, 0, shortest.length, 1_700_000_000_123));
  }
  const record = stored(null, 'v', []);
  const all = new RecordTracer('all');
  assert.notDeepEqual(trace(all, record, 0, record.length, 1), trace(all, record, 0, record.length, 2));
  const noTime = new RecordTracer('all-but-timestamp');
  assert.deepEqual(trace(noTime, record, 0, record.length, 1), trace(noTime, record, 0, record.length, 2));
  const emptyKey = stored('', 'v', []);
  assert.notDeepEqual(trace(all, record, 0, record.length, 1), trace(all, emptyKey, 0, emptyKey.length, 1), 'null key apart from empty');
  const inPlace = Buffer.concat([Buffer.from('before'), record, Buffer.from('after')]);
  assert.deepEqual(trace(noTime, inPlace, 6, 6 + record.length, 1), trace(noTime, record, 0, record.length, 1), 'read in place');
});
