import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';

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
    if (matched.length === 0)
      throw new KrerouteError('UNKNOWN_TOPIC', `no source topic you may describe matches /${pattern}/ on ${source.label}`, {
        hint: 'check the pattern and that the principal has DESCRIBE on the topics',
      });
    return [...new Set([...(names ?? []), ...matched])];
  }
  const missing = names!.filter((t) => !existing.includes(t));
  if (missing.length > 0) {
    // Kafka leaves topics the principal may not DESCRIBE out of the topic list: absent and hidden look alike.
    const what =
      missing.length === 1
        ? `source topic ${missing[0]} does not exist or you may not describe it`
        : `source topics ${missing.join(', ')} do not exist or you may not describe them`;
    throw new KrerouteError('UNKNOWN_TOPIC', `${what} (${source.label})`, {
      hint: 'check the name (topic names are case-sensitive), --source, and that the principal has DESCRIBE on the topic',
    });
  }
  return [...new Set(names)];
}
