import { KrerouteError } from '../common/errors.ts';
import type { RegisteredSchema, SchemaRegistryClient } from './registry-client.ts';

/** One schema registered on the destination with its source id, under one of its subjects. */
export interface ImportedSchema {
  id: number;
  subject: string;
  version: number;
}

/**
 * `refused`: the destination's registry cannot register schemas with given ids, and nothing was
 * written (the reason says why); `imported`: every schema is there under its source id.
 */
export type ImportOutcome = { kind: 'refused'; reason: string } | { kind: 'imported'; registered: ImportedSchema[] };

interface SourceSchema {
  id: number;
  schema: RegisteredSchema;
  versions: { subject: string; version: number }[];
}

/**
 * Registers each source schema on the destination's registry under the subjects (and versions) it
 * has on the source, with its source id: Confluent's IMPORT mode. First a read-only probe (GET
 * /mode: a registry without a mode API cannot take ids), then each subject is put in IMPORT mode
 * (which Confluent and Redpanda allow only on a subject that never had a schema) before any schema
 * is written; a refusal there writes nothing. Every registration must answer with the id it was
 * given, or the import stops and its error names what was registered. The subjects go back to
 * READWRITE whatever happens.
 */
export async function importSchemaIds(ids: Iterable<number>, source: SchemaRegistryClient, destination: SchemaRegistryClient): Promise<ImportOutcome> {
  const schemas = await sourceSchemas(ids, source);
  const subjects = [...new Set(schemas.flatMap((s) => s.versions.map((v) => v.subject)))].sort();
  const mode = await destination.mode();
  if (mode === undefined) return refused(destination, 'it has no mode API (GET /mode), so no IMPORT mode');
  if (mode.startsWith('READONLY')) return refused(destination, `it is in ${mode} mode`);
  const switched: string[] = [];
  if (mode !== 'IMPORT') {
    for (const subject of subjects) {
      let refusal: Awaited<ReturnType<SchemaRegistryClient['setMode']>>;
      try {
        refusal = await destination.setMode(subject, 'IMPORT');
      } catch (error) {
        const stuck = await restore(destination, switched);
        throw stuck.length > 0 ? importFailure(destination, error, [], stuck) : error;
      }
      if (refusal) {
        const stuck = await restore(destination, switched);
        if (stuck.length > 0) throw importFailure(destination, new Error(`it refused IMPORT mode for subject ${subject}`), [], stuck);
        const why =
          refusal.errorCode === 42205
            ? `subject ${subject} already has schemas there, and IMPORT mode is allowed only on a subject that never had one`
            : `it refused IMPORT mode for subject ${subject} (${refusal.status}${refusal.errorCode ? ` ${refusal.errorCode}` : ''}: ${refusal.message})`;
        return refused(destination, why);
      }
      switched.push(subject);
    }
  }
  const registered: ImportedSchema[] = [];
  let failure: unknown;
  try {
    for (const { id, schema, versions } of schemas) {
      for (const { subject, version } of versions) {
        const given = await destination.register(subject, schema, { id, version });
        registered.push({ id: given, subject, version });
        if (given !== id) {
          throw new KrerouteError(
            'DESTINATION_CHECK',
            `the destination's registry ${destination.url} registered schema id ${id} (${subject} v${version}) as id ${given}`,
          );
        }
      }
    }
  } catch (error) {
    failure = error;
  }
  const stuck = await restore(destination, switched);
  if (failure !== undefined || stuck.length > 0) throw importFailure(destination, failure, registered, stuck);
  return { kind: 'imported', registered };
}

async function sourceSchemas(ids: Iterable<number>, source: SchemaRegistryClient): Promise<SourceSchema[]> {
  const found: SourceSchema[] = [];
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    const schema = await source.schemaById(id);
    if (!schema) throw new KrerouteError('CONFIG', `schema id ${id} is used by the planned records but unknown to the source registry ${source.url}`);
    const versions = (await source.subjectVersionsOfId(id)).sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version));
    if (versions.length === 0) {
      throw new KrerouteError('CONFIG', `schema id ${id} has no subject on the source registry ${source.url}: kreroute cannot register it on the destination`);
    }
    if (schema.references.length > 0) {
      throw new KrerouteError('UNSUPPORTED', `schema id ${id} references other schemas: --schemas register does not import references yet`, {
        hint: 'register the referenced schemas on the destination first, or plan with --schemas translate',
      });
    }
    found.push({ id, schema, versions });
  }
  return found;
}

function refused(destination: SchemaRegistryClient, why: string): ImportOutcome {
  return { kind: 'refused', reason: `the destination's registry ${destination.url} cannot register schemas with their source ids: ${why}` };
}

/** Puts the subjects back to READWRITE; returns those that could not be. */
async function restore(destination: SchemaRegistryClient, subjects: string[]): Promise<string[]> {
  const stuck: string[] = [];
  for (const subject of subjects) {
    const refusal = await destination.setMode(subject, 'READWRITE').catch((error: unknown) => ({ message: (error as Error).message }));
    if (refusal) stuck.push(subject);
  }
  return stuck;
}

function importFailure(destination: SchemaRegistryClient, failure: unknown, registered: ImportedSchema[], stuck: string[]): KrerouteError {
  const what =
    registered.length === 0
      ? 'nothing was registered'
      : `registered there before it stopped: ${registered.map((r) => `${r.subject} v${r.version} as id ${r.id}`).join(', ')}`;
  const left = stuck.length === 0 ? '' : `; subjects left in IMPORT mode: ${stuck.join(', ')} (set them back: PUT /mode/{subject} {"mode":"READWRITE"})`;
  const cause = failure === undefined ? 'putting the subjects back to READWRITE failed' : (failure as Error).message;
  const code = failure instanceof KrerouteError ? failure.code : 'CONFIG';
  return new KrerouteError(code, `--schemas register on ${destination.url}: ${cause}; ${what}${left}`, {
    hint:
      registered.length > 0
        ? 'delete what was registered (DELETE /subjects/{subject}/versions/{version}, then again with ?permanent=true) before planning again, or plan with --schemas translate'
        : 'plan again, or with --schemas translate',
    cause: failure,
  });
}
