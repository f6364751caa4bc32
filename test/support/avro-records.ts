import avro from 'avsc';
import type { RegisteredSchema } from '../../src/schemas/registry-client.ts';

/** A one-field Avro record schema, as registered. */
export const avroSchema = (name: string, field: string): RegisteredSchema => ({
  schema: JSON.stringify({ type: 'record', name, namespace: 'kreroute.test', fields: [{ name: field, type: 'string' }] }),
  schemaType: 'AVRO',
  references: [],
});

/** Confluent's framing around avsc's encoding: magic 0, the 4-byte id, the Avro bytes. */
export function framed(id: number, schema: RegisteredSchema, value: Record<string, unknown>): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, avro.Type.forSchema(JSON.parse(schema.schema)).toBuffer(value)]);
}
