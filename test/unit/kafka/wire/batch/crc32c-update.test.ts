import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { updatedCrc32c } from '../../../../../src/kafka/wire/batch/crc32c-update.ts';

test('a CRC32C updated for changed leading bytes equals the CRC computed over the whole message', () => {
  for (const length of [36, 37, 100, 1000, 4096, 65_537, 1_048_576, 3_000_001]) {
    for (let round = 0; round < 3; round++) {
      const message = randomBytes(length);
      const oldCrc = crc32c(message) >>> 0;
      const before = Buffer.from(message.subarray(0, 36));
      randomBytes(36).copy(message, 0);
      assert.equal(updatedCrc32c(oldCrc, before, message), crc32c(message) >>> 0, `length ${length}`);
    }
  }
});

test('a message damaged beyond the changed bytes keeps a wrong CRC', () => {
  const message = randomBytes(5000);
  const oldCrc = crc32c(message) >>> 0;
  message[4000] = message[4000]! ^ 1; // damage the kind a corrupt source batch would carry
  const before = Buffer.from(message.subarray(0, 36));
  message.writeUInt32BE(12345, 10);
  assert.notEqual(updatedCrc32c(oldCrc, before, message), crc32c(message) >>> 0);
});
