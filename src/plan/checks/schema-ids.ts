import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { type ResolvedId, resolveSchemaIds } from '../../schemas/id-resolution.ts';
import { importSchemaIds } from '../../schemas/id-import.ts';
import { translateSchemaIds } from '../../schemas/id-translation.ts';
import { SchemaRegistryClient, type SchemaRegistrySettings } from '../../schemas/registry-client.ts';
import { type PartitionRange, schemaIdsInTopic } from '../../schemas/schema-ids-in-topic.ts';
import type { RecordFilter } from '../filter/record-filter.ts';
import type { PlanCheck } from '../plan.ts';

export interface SchemaRegistries {
  source: SchemaRegistrySettings;
  destination: SchemaRegistrySettings;
  /** --schemas translate: register the schemas on the destination and have the copy rewrite the ids. */
  translate?: boolean;
  /** --schemas register: register the missing schemas on the destination with the same ids (see importSchemaIds). */
  register?: boolean;
}

/**
 * The checks; with `translate` the topic's id map (source id → destination id) for the plan; with
 * `register` the ids missing on the destination, for importMissingSchemas once every topic is checked.
 */
export interface SchemaIdFindings {
  checks: PlanCheck[];
  idMap?: Record<string, number>;
  missing?: number[];
}

/** Records read from the start of each range without --exact: enough to see the framing and the usual ids. */
export const SCHEMA_SAMPLE_RECORDS = 1000;

/**
 * The schema ids of a topic's planned records (key and value; a sample, or all with `exact` when the
 * sample holds framed records) and how each stands on the destination's registry: SCHEMA_ID_CONFLICT
 * (an error: the id names another schema there), SCHEMA_IDS_MISSING (a warning), SCHEMA_IDS_RESOLVED
 * (info). Without registries, framed records give SCHEMA_IDS_UNCHECKED.
 */
export async function schemaIdChecks(
  source: KafkaCluster,
  topic: string,
  ranges: PartitionRange[],
  registries: SchemaRegistries | undefined,
  exact: boolean,
  planned: RecordFilter,
): Promise<SchemaIdFindings> {
  // The sample first: data that is not framed (most of it) is not read a second time by --exact.
  const sample = await schemaIdsInTopic(source, topic, ranges, SCHEMA_SAMPLE_RECORDS, planned);
  if (sample.framedRecords === 0) return { checks: [] };
  // A translated copy must know every id it meets, and register must register all: all records are read.
  const all = exact || registries?.translate === true || registries?.register === true;
  const found = all ? await schemaIdsInTopic(source, topic, ranges, undefined, planned) : sample;
  const ids = [...new Set([...found.keyIds, ...found.valueIds])];
  const where = `${all ? 'all' : `a sample of`} ${found.recordsRead.toLocaleString('en-US')} records of ${topic}`;
  if (registries?.translate) {
    const idMap = await translateSchemaIds(ids, new SchemaRegistryClient(registries.source), new SchemaRegistryClient(registries.destination));
    const pairs = Object.entries(idMap).map(([from, to]) => `${from} → ${to}`);
    return {
      idMap,
      checks: [
        {
          level: 'info',
          code: 'SCHEMA_IDS_TRANSLATED',
          topic,
          message: `schema ids in ${where} registered on the destination's registry; the copy rewrites them: ${pairs.join(', ')}`,
        },
      ],
    };
  }
  if (!registries) {
    return {
      checks: [
        {
          level: 'warning',
          code: 'SCHEMA_IDS_UNCHECKED',
          topic,
          message:
            `${found.framedRecords.toLocaleString('en-US')} of ${where} carry schema registry ids (${list(ids)}): ` +
            'consumers on the destination need a registry with those ids; give --source-schema-registry and --dest-schema-registry to check them',
        },
      ],
    };
  }
  const resolved = await resolveSchemaIds(ids, new SchemaRegistryClient(registries.source), new SchemaRegistryClient(registries.destination));
  const of = (standing: ResolvedId['standing']) => resolved.filter((r) => r.standing === standing);
  const checks: PlanCheck[] = [];
  const conflicts = of('different');
  if (conflicts.length > 0) {
    checks.push({
      level: 'error',
      code: 'SCHEMA_ID_CONFLICT',
      topic,
      message: `schema id${conflicts.length > 1 ? 's' : ''} ${list(conflicts.map((r) => r.id))} of ${topic} name${conflicts.length > 1 ? '' : 's'} another schema on the destination's registry: consumers there would decode with the wrong schema (plan with --schemas translate to give the copies the destination's ids)`,
    });
  }
  const missing = of('missing');
  if (missing.length > 0 && !registries.register) {
    checks.push({
      level: 'warning',
      code: 'SCHEMA_IDS_MISSING',
      topic,
      message: `schema id${missing.length > 1 ? 's' : ''} ${missing.map(describeMissing).join(', ')} of ${topic} ${missing.length > 1 ? 'are' : 'is'} missing on the destination's registry: register ${missing.length > 1 ? 'them' : 'it'} there with the same id${missing.length > 1 ? 's' : ''} before consumers read the copies`,
    });
  }
  checks.push({
    level: 'info',
    code: 'SCHEMA_IDS_RESOLVED',
    topic,
    message: `schema ids in ${where}: ${of('same').length} the same on the destination, ${missing.length} missing, ${conflicts.length} naming another schema (key ids ${list(found.keyIds)}; value ids ${list(found.valueIds)})`,
  });
  return { checks, ...(registries.register && missing.length > 0 ? { missing: missing.map((r) => r.id) } : {}) };
}

/**
 * --schemas register, once no check refused the plan: registers the ids missing on the destination
 * there with the same ids (SCHEMA_IDS_REGISTERED), or refuses the plan when its registry cannot
 * keep ids (SCHEMA_IMPORT_UNSUPPORTED, nothing written).
 */
export async function importMissingSchemas(ids: number[], registries: SchemaRegistries): Promise<PlanCheck> {
  const outcome = await importSchemaIds(ids, new SchemaRegistryClient(registries.source), new SchemaRegistryClient(registries.destination));
  if (outcome.kind === 'refused') {
    return { level: 'error', code: 'SCHEMA_IMPORT_UNSUPPORTED', message: `--schemas register: ${outcome.reason}` };
  }
  const registered = outcome.registered.map((r) => `${r.id} (${r.subject} v${r.version})`);
  return {
    level: 'info',
    code: 'SCHEMA_IDS_REGISTERED',
    message: `registered on the destination's registry with the same id${registered.length > 1 ? 's' : ''}: ${registered.join(', ')}`,
  };
}

function describeMissing(entry: ResolvedId): string {
  const subjects = entry.subjects.length > 0 ? ` (${entry.subjects.join(', ')}` : ' (no subject';
  const there = entry.destinationId === undefined ? '' : `; the destination has it as id ${entry.destinationId}`;
  return `${entry.id}${subjects}${there})`;
}

function list(ids: number[]): string {
  return ids.length === 0 ? 'none' : ids.join(', ');
}
