import type { SchemaRegistryClient } from './registry-client.ts';

/**
 * Registers each source schema on the destination's registry under the subjects that use it on the
 * source, and returns the destination's id of each (source id → destination id, as decimal keys).
 * The registry answers an identical schema already under the subject with its existing id, so this
 * can be run again.
 */
export async function translateSchemaIds(
  ids: Iterable<number>,
  source: SchemaRegistryClient,
  destination: SchemaRegistryClient,
): Promise<Record<string, number>> {
  const map: Record<string, number> = {};
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    const schema = await source.schemaById(id);
    if (!schema) throw new Error(`schema id ${id} is used by the planned records but unknown to the source registry ${source.url}`);
    const subjects = [...new Set((await source.subjectVersionsOfId(id)).map((v) => v.subject))].sort();
    if (subjects.length === 0)
      throw new Error(`schema id ${id} has no subject on the source registry ${source.url}: kreroute cannot register it on the destination`);
    const destinationIds = new Set<number>();
    for (const subject of subjects) destinationIds.add(await destination.register(subject, schema));
    if (destinationIds.size > 1) {
      throw new Error(
        `schema id ${id} got different ids (${[...destinationIds].join(', ')}) under its subjects on the destination registry ${destination.url}`,
      );
    }
    map[String(id)] = [...destinationIds][0]!;
  }
  return map;
}
