import { KrerouteError } from '../errors.ts';
import type { KafkaCluster } from '../kafka/cluster.ts';

/** The source topics a plan covers: the names given (each must exist) or those matching a regex. */
export async function resolveTopics(source: KafkaCluster, names: string[] | undefined, pattern: string | undefined): Promise<string[]> {
  if ((names?.length ?? 0) === 0 && pattern === undefined) {
    throw new KrerouteError('BAD_INPUT', 'no topic given', { hint: 'name topics with --topic, or match them with --topic-regex' });
  }
  const existing = await source.listTopics();
  if (pattern !== undefined) {
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${pattern})$`);
    } catch (error) {
      throw new KrerouteError('BAD_INPUT', `--topic-regex /${pattern}/ is not a valid regular expression: ${(error as Error).message}`);
    }
    const matched = existing.filter((t) => regex.test(t) && !t.startsWith('__')).sort();
    if (matched.length === 0) throw new KrerouteError('UNKNOWN_TOPIC', `no source topic matches /${pattern}/ on ${source.label}`);
    return [...new Set([...(names ?? []), ...matched])];
  }
  const missing = names!.filter((t) => !existing.includes(t));
  if (missing.length > 0) {
    throw new KrerouteError('UNKNOWN_TOPIC', `source topic ${missing.join(', ')} does not exist on ${source.label}`, {
      hint: 'check the name (topic names are case-sensitive) and --source',
    });
  }
  return [...new Set(names)];
}
