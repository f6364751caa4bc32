import type { RegisteredSchema, SchemaRegistryClient } from './registry-client.ts';

/**
 * How one source schema id stands on the destination's registry: `same` (the id names the same
 * schema there), `missing` (no such id there), `different` (the id names another schema there: a
 * consumer would decode with the wrong schema, the silent-corruption case).
 */
export type IdStanding = 'same' | 'missing' | 'different';

export interface ResolvedId {
  id: number;
  standing: IdStanding;
  /** The subjects that use the id on the source (where the destination should get it too). */
  subjects: string[];
  /** For `missing` and `different`: the id the destination has for this schema under those subjects, if any. */
  destinationId?: number;
}

/** Resolves each source id on the destination: by id, then by subject and schema text. */
export async function resolveSchemaIds(ids: Iterable<number>, source: SchemaRegistryClient, destination: SchemaRegistryClient): Promise<ResolvedId[]> {
  const resolved: ResolvedId[] = [];
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    const schema = await source.schemaById(id);
    if (!schema) throw new Error(`schema id ${id} is used by the planned records but unknown to the source registry ${source.url}`);
    const subjects = [...new Set((await source.subjectVersionsOfId(id)).map((v) => v.subject))].sort();
    const there = await destination.schemaById(id);
    const standing: IdStanding = !there ? 'missing' : sameSchema(schema, there) ? 'same' : 'different';
    const entry: ResolvedId = { id, standing, subjects };
    if (standing !== 'same') {
      for (const subject of subjects) {
        const destinationId = await destination.idInSubject(subject, schema);
        if (destinationId !== undefined) {
          entry.destinationId = destinationId;
          break;
        }
      }
    }
    resolved.push(entry);
  }
  return resolved;
}

/** Same type and same schema text, up to JSON whitespace and key order (Avro and JSON Schema are JSON). */
export function sameSchema(a: RegisteredSchema, b: RegisteredSchema): boolean {
  return a.schemaType === b.schemaType && normalized(a.schema) === normalized(b.schema);
}

function normalized(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text.trim(); // Protobuf: compared as text
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
