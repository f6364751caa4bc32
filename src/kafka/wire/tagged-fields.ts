import type { Reader } from '@platformatic/kafka';

/** Skips a tagged-fields section (KIP-482): an unsigned varint count, then each field's tag and length-prefixed bytes. */
export function skipTaggedFields(reader: Reader): void {
  const count = reader.readUnsignedVarInt();
  for (let i = 0; i < count; i++) {
    reader.readUnsignedVarInt(); // tag
    reader.skip(reader.readUnsignedVarInt());
  }
}
