import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { murmur2 as libraryMurmur2 } from '@platformatic/kafka';
import { murmur2 } from '../../../src/plan/murmur2.ts';

test("murmur2 hashes keys as the client library's (Kafka's) does, every length and byte value", () => {
  for (let length = 0; length < 70; length++) {
    for (let n = 0; n < 40; n++) {
      const key = randomBytes(length);
      assert.equal(murmur2(key) & 0x7fffffff, libraryMurmur2(key) & 0x7fffffff, key.toString('hex'));
    }
  }
  // Kafka's own test vectors (Utils.murmur2 in UtilsTest): "21" → -973932308, "foobar" → -790332482.
  assert.equal(murmur2(Buffer.from('21')), -973932308);
  assert.equal(murmur2(Buffer.from('foobar')), -790332482);
});
