import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { CODECS, codecOf, compressBatch } from '../../../../../src/kafka/wire/batch/batch-compression.ts';
import { ATTRIBUTE, splitBatches } from '../../../../../src/kafka/wire/batch/batch-header.ts';
import { decodeBatch } from '../../../../../src/kafka/wire/batch/record-batch-decoder.ts';
import { encodeRecordBatch } from '../../../../../src/kafka/wire/batch/record-batch-encoder.ts';

const records = Array.from({ length: 3000 }, (_, i) => ({
  key: Buffer.from(`tenant-${'abc'[i % 3]}-${i}`),
  value: Buffer.from(JSON.stringify({ id: i, note: 'standard delivery, leave at the door', qty: i % 7 })),
  headers: [[Buffer.from('h'), i % 2 ? null : Buffer.from('v')] as const],
  timestamp: 1_700_000_000_000n + BigInt(i),
}));
const identity = { producerId: 7n, producerEpoch: 1, baseSequence: 0, transactional: false };

for (const codec of CODECS) {
  test(`a batch compressed with ${codec} decodes to the same records and names its codec`, () => {
    const plain = encodeRecordBatch(records, identity);
    const compressed = compressBatch(plain, codec);
    if (codec === 'none') return assert.equal(compressed, plain);
    assert.ok(compressed.length < plain.length / 3, `${codec}: ${compressed.length} of ${plain.length} bytes`);
    // The CRC is the producer's to stamp; recompute it as the stamp would, then read it back.
    compressed.writeUInt32BE(crc32c(compressed.subarray(21)) >>> 0, 17);
    const [view] = splitBatches(compressed);
    assert.equal(view!.bytes.length, compressed.length, 'the length field covers the compressed batch');
    assert.equal(codecOf(view!.attributes), codec);
    assert.equal(view!.attributes & ~ATTRIBUTE.compression, 0);
    const decoded = decodeBatch(view!);
    assert.equal(decoded.records.length, records.length);
    decoded.records.forEach((r, i) => {
      assert.deepEqual(r.key, records[i]!.key);
      assert.deepEqual(r.value, records[i]!.value);
      assert.deepEqual(r.headers, records[i]!.headers);
    });
  });
}
