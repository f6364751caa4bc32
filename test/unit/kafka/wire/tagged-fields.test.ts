import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reader } from '@platformatic/kafka';
import { skipTaggedFields } from '../../../../src/kafka/wire/tagged-fields.ts';

/**
 * A tagged-fields section (KIP-482): an unsigned varint count, then for each field an unsigned
 * varint tag, an unsigned varint size and that many bytes.
 */
test('skipTaggedFields: skips an empty section and a section of two fields, stopping at the next field', () => {
  const empty = Reader.from(Buffer.from('00' + 'abcd', 'hex'));
  skipTaggedFields(empty);
  assert.equal(empty.readInt16(), 0xabcd - 0x10000);

  const two = Reader.from(Buffer.from('02' + '00' + '03' + '010203' + '8001' + '8101' + 'ff'.repeat(129) + '1234', 'hex'));
  skipTaggedFields(two); // tag 0 of 3 bytes, then tag 128 of 129 bytes
  assert.equal(two.readInt16(), 0x1234);
});
