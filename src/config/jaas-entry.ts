import { type JaasEntry, JaasSyntaxError, parseJaasConfig } from './jaas.ts';
import type { PropertySet } from './property-set.ts';

const KEY = 'sasl.jaas.config';
const JAVA_CLASS = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/;

/**
 * The one login module entry of sasl.jaas.config, which must be one of `modules`. `example` is
 * the whole line to suggest (it must hold no real secret). Messages never quote option values.
 */
export function loginModuleEntry(props: PropertySet, mechanism: string, modules: string[], example: string, why = ''): JaasEntry {
  const text = props.get(KEY);
  if (text === undefined || text === '') {
    props.fail(KEY, `is missing; kreroute needs ${why || `the ${mechanism} login module`} in it (a JAAS file given to the JVM is not read)`, `add ${example}`);
  }
  let entries: JaasEntry[];
  try {
    entries = parseJaasConfig(text);
  } catch (error) {
    if (error instanceof JaasSyntaxError) props.fail(KEY, `cannot be parsed: ${error.message}`, `write it as ${example}`);
    throw error;
  }
  if (entries.length !== 1) props.fail(KEY, `has ${entries.length} login modules; Kafka takes exactly one`, `write it as ${example}`);
  const entry = entries[0] as JaasEntry;
  if (!modules.includes(entry.loginModule)) {
    // Named only when it is a Java class name: a word where the class belongs may be a misplaced password.
    const named = JAVA_CLASS.test(entry.loginModule) ? `login module ${entry.loginModule}` : 'the login module (not a Java class name)';
    props.fail(KEY, `${named} cannot be used with sasl.mechanism=${mechanism}`, `use ${modules[0]}`);
  }
  return entry;
}

/** Refuses options of the entry other than `known` (and those matching `prefix`), by name. */
export function refuseUnknownOptions(props: PropertySet, entry: JaasEntry, known: string[], hint: string, prefix?: string): void {
  const unknown = [...entry.options.keys()].filter((name) => !known.includes(name) && !(prefix && name.startsWith(prefix)));
  if (unknown.length > 0) props.fail(KEY, `has option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} that kreroute does not know`, hint);
}
