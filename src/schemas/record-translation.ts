import type { FetchedRecord } from '../kafka/wire/record.ts';
import { schemaIdOf, withSchemaId } from './wire-format.ts';

/**
 * The record with the schema ids of its framed key and value replaced by the plan's map (--schemas
 * translate); other bytes unchanged. The stored bytes (`raw`) are dropped when an id changes, so the
 * record is encoded from its fields. An id the map lacks is refused: copying it unchanged would make
 * consumers decode with whatever schema has that id on the destination.
 */
export function translateRecord(record: FetchedRecord, idMap: Readonly<Record<string, number>>): FetchedRecord {
  const key = translated(record.key, idMap, record);
  const value = translated(record.value, idMap, record);
  if (key === record.key && value === record.value) return record;
  const { raw: _raw, ...fields } = record;
  return { ...fields, key, value };
}

function translated(bytes: Buffer | null, idMap: Readonly<Record<string, number>>, record: FetchedRecord): Buffer | null {
  const id = schemaIdOf(bytes);
  if (id === undefined) return bytes;
  const to = idMap[String(id)];
  if (to === undefined) {
    throw new Error(
      `the record at offset ${record.offset} carries schema id ${id}, which the plan's schema id map does not translate (it was written after the plan read the range?)`,
    );
  }
  if (to === id) return bytes;
  const out = withSchemaId(bytes!, to);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
