import type { FetchedRecord } from '../kafka/wire/record.ts';
import { schemaIdOf, withSchemaId } from './wire-format.ts';

/**
 * The record with the schema ids of its framed key and value replaced by the plan's map (--schemas
 * translate); other bytes unchanged. The stored bytes (`raw`) are dropped when an id changes, so the
 * record is encoded from its fields. An id the map lacks is refused: copying it unchanged would make
 * consumers decode with whatever schema has that id on the destination.
 */
export function translateRecord(record: FetchedRecord, idMap: Readonly<Record<string, number>>): FetchedRecord {
  const key = translated(record.key, idMap, record.offset);
  const value = translated(record.value, idMap, record.offset);
  if (key === record.key && value === record.value) return record;
  const { raw: _raw, ...fields } = record;
  return { ...fields, key, value };
}

/**
 * The same rewrite on a stored key or value, in place: for readers that digest records as stored
 * (key-hash verify) and see them as the translated copy writes them. A schema id keeps its 4 bytes,
 * so the record's lengths stay valid.
 */
export function translateInPlace(bytes: Buffer | null, idMap: Readonly<Record<string, number>>, offset: bigint): void {
  const id = schemaIdOf(bytes);
  if (id === undefined) return;
  bytes!.writeInt32BE(mappedId(id, idMap, offset), 1);
}

function translated(bytes: Buffer | null, idMap: Readonly<Record<string, number>>, offset: bigint): Buffer | null {
  const id = schemaIdOf(bytes);
  if (id === undefined) return bytes;
  const to = mappedId(id, idMap, offset);
  if (to === id) return bytes;
  const out = withSchemaId(bytes!, to);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function mappedId(id: number, idMap: Readonly<Record<string, number>>, offset: bigint): number {
  const to = idMap[String(id)];
  if (to === undefined) {
    throw new Error(
      `the record at offset ${offset} carries schema id ${id}, which the plan's schema id map does not translate (it was written after the plan read the range?)`,
    );
  }
  return to;
}
