/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the
 * Avro, Protobuf or JSON Schema bytes. Returns the id, or undefined when the bytes are not framed.
 */
export function schemaIdOf(bytes: Uint8Array | null | undefined): number | undefined {
  if (!bytes || bytes.length < 5 || bytes[0] !== 0) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, 5).getInt32(1);
}

/** The same bytes with another schema id: the rewrite a translated copy applies to a key or value. */
export function withSchemaId(bytes: Uint8Array, id: number): Uint8Array {
  if (schemaIdOf(bytes) === undefined) throw new Error('not in the schema registry wire format');
  const out = new Uint8Array(bytes);
  new DataView(out.buffer, out.byteOffset, 5).setInt32(1, id);
  return out;
}
