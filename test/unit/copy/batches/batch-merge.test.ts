import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reader, readRecordsBatch } from '@platformatic/kafka';
import { splitBatches } from '../../../../src/kafka/wire/batch/batch-header.ts';
import { encodeRecordBatch } from '../../../../src/kafka/wire/batch/record-batch-encoder.ts';
import type { RecordContent } from '../../../../src/kafka/wire/record.ts';
import { canMerge, mergeBatches } from '../../../../src/copy/batches/batch-merge.ts';
import { coalesce } from '../../../../src/copy/batches/coalesce.ts';

const identity = { producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false };

function batchOf(records: RecordContent[]) {
  return splitBatches(encodeRecordBatch(records, identity))[0]!;
}

test('joined batches keep every record: bytes, headers, null key and value, and timestamps years apart in either order', () => {
  const now = 1_795_000_000_000n;
  const first: RecordContent[] = [
    {
      timestamp: now,
      key: Buffer.from('a'),
      value: Buffer.from([0, 10, 255]),
      headers: [
        [Buffer.from('h'), null],
        [Buffer.from('h'), Buffer.from('2')],
      ],
    },
    { timestamp: now - 1000n, key: null, value: null, headers: [] },
  ];
  // 2019 and 1970 after 2026: deltas far beyond 32 bits, negative against the joined base.
  const second: RecordContent[] = [
    { timestamp: 1_560_000_000_000n, key: Buffer.alloc(0), value: Buffer.alloc(300, 7), headers: [] },
    { timestamp: 0n, key: Buffer.from('z'), value: Buffer.from('last'), headers: [[Buffer.from('x'), Buffer.alloc(0)]] },
  ];
  const batches = [batchOf(first), batchOf(second)];
  assert.ok(batches.every(canMerge));
  const joined = readRecordsBatch(Reader.from(mergeBatches(batches)));
  assert.equal(joined.records.length, 4);
  assert.equal(joined.lastOffsetDelta, 3);
  assert.equal(joined.firstTimestamp, 0n);
  assert.equal(joined.maxTimestamp, now);
  const expected = [...first, ...second];
  joined.records.forEach((record, i) => {
    const want = expected[i]!;
    assert.equal(record.offsetDelta, i);
    assert.equal(joined.firstTimestamp + record.timestampDelta, want.timestamp, `timestamp of record ${i}`);
    assert.deepEqual(record.key?.length ? record.key : null, want.key?.length ? want.key : null);
    assert.deepEqual(record.value?.length ? record.value : null, want.value?.length ? want.value : null);
    assert.deepEqual(
      record.headers.map(([k, v]) => [String(k), v === null ? null : v.toString('hex')]),
      want.headers.map(([k, v]) => [k.toString(), v === null ? null : v.toString('hex')]),
    );
  });
});

test('a batch of 128 KiB or more is forwarded alone, not joined', () => {
  const big = batchOf([{ timestamp: 1n, key: null, value: Buffer.alloc(130 * 1024), headers: [] }]);
  assert.equal(canMerge(big), false);
});

test('a run whose joined batch would outgrow the destination limit is joined in parts that fit', () => {
  // Tiny records, each batch a day apart: joined, every record's timestamp delta grows from one
  // byte to five, more than the 61-byte headers of the batches it saves.
  const day = 86_400_000n;
  const batches = Array.from({ length: 10 }, (_, b) =>
    batchOf(
      Array.from({ length: 60 }, (_, i) => ({ timestamp: 1_795_000_000_000n + BigInt(b) * day + BigInt(i), key: null, value: Buffer.from([i]), headers: [] })),
    ),
  );
  const input = batches.reduce((n, batch) => n + batch.bytes.length, 0);
  const unsplit = mergeBatches(batches).length;
  assert.ok(unsplit > input, `joined ${unsplit} bytes from ${input}: the case this test is about`);
  const limit = input + 10;
  const { actions } = coalesce(
    batches.map((batch) => ({ kind: 'forward' as const, batch })),
    limit,
  );
  assert.ok(actions.length > 1, 'split');
  let records = 0;
  for (const action of actions) {
    assert.equal(action.kind, 'forward');
    if (action.kind !== 'forward') continue;
    assert.ok(action.batch.bytes.length <= limit, `a batch of ${action.batch.bytes.length} bytes for a limit of ${limit}`);
    records += readRecordsBatch(Reader.from(action.batch.bytes)).records.length;
  }
  assert.equal(records, 600);
});

test('only batches whose records came from batches of one codec are joined, and the joined batch remembers it', () => {
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ timestamp: 1_795_000_000_000n + BigInt(i), key: null, value: Buffer.from([i]), headers: [] }));
  // Kept records of filtered lz4, lz4, zstd batches, then two uncompressed batches as fetched.
  const filtered = (sourceCompression: number) => ({ kind: 'forward' as const, batch: { ...batchOf(rows(5)), rebuilt: true, sourceCompression } });
  const { actions } = coalesce(
    [filtered(3), filtered(3), filtered(4), { kind: 'forward', batch: batchOf(rows(5)) }, { kind: 'forward', batch: batchOf(rows(5)) }],
    1024 * 1024,
  );
  const made = actions.map((a) => (a.kind === 'forward' ? [a.batch.sourceCompression ?? 0, a.batch.joinedFrom ?? 1, a.batch.recordCount] : null));
  assert.deepEqual(made, [
    [3, 2, 10],
    [4, 1, 5],
    [0, 2, 10],
  ]);
});
