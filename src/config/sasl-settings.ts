import type { ClientSettings } from '../kafka/client-settings.ts';
import { JaasSyntaxError, parseJaasConfig } from './jaas.ts';
import type { PropertySet } from './property-set.ts';

type Sasl = NonNullable<ClientSettings['sasl']>;

const PASSWORD_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
const LOGIN_MODULES: Record<(typeof PASSWORD_MECHANISMS)[number], string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};
const JAAS_EXAMPLE = (mechanism: string) =>
  `sasl.jaas.config=${LOGIN_MODULES[mechanism as keyof typeof LOGIN_MODULES] ?? LOGIN_MODULES.PLAIN} required username="…" password="…";`;

/** The SASL settings of a properties file whose security.protocol is SASL_PLAINTEXT or SASL_SSL. */
export function saslFromProperties(props: PropertySet): Sasl {
  const mechanism = props.get('sasl.mechanism');
  if (mechanism === undefined || mechanism === '') {
    props.fail('sasl.mechanism', "is not set, so Kafka's default GSSAPI (Kerberos) would apply, which kreroute does not support", 'set sasl.mechanism to PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512');
  }
  if (mechanism === 'GSSAPI') props.fail('sasl.mechanism', 'GSSAPI (Kerberos) is not supported', 'use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512');
  if (mechanism === 'OAUTHBEARER') {
    props.fail(
      'sasl.mechanism',
      'OAUTHBEARER is not supported yet: unsecured tokens (unsecuredLoginStringClaim_*) are out of scope and fetching tokens from sasl.oauthbearer.token.endpoint.url is not implemented',
      'use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 credentials for kreroute',
    );
  }
  if (!PASSWORD_MECHANISMS.includes(mechanism as (typeof PASSWORD_MECHANISMS)[number])) {
    props.fail('sasl.mechanism', `"${mechanism}" is not supported`, 'use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (upper case, as Kafka spells them)');
  }
  const known = mechanism as (typeof PASSWORD_MECHANISMS)[number];
  return { mechanism: known, ...credentials(props, known) };
}

function credentials(props: PropertySet, mechanism: (typeof PASSWORD_MECHANISMS)[number]): { username: string; password: string } {
  const key = 'sasl.jaas.config';
  const text = props.get(key);
  if (text === undefined || text === '') {
    props.fail(key, `is missing; kreroute needs the ${mechanism} credentials in it (a JAAS file given to the JVM is not read)`, `add ${JAAS_EXAMPLE(mechanism)}`);
  }
  let entries;
  try {
    entries = parseJaasConfig(text);
  } catch (error) {
    if (error instanceof JaasSyntaxError) props.fail(key, `cannot be parsed: ${error.message}`, `write it as ${JAAS_EXAMPLE(mechanism)}`);
    throw error;
  }
  if (entries.length !== 1) props.fail(key, `has ${entries.length} login modules; Kafka takes exactly one`, `write it as ${JAAS_EXAMPLE(mechanism)}`);
  const entry = entries[0] as (typeof entries)[number];
  const modules = new Set(Object.values(LOGIN_MODULES));
  if (!modules.has(entry.loginModule)) {
    props.fail(key, `login module ${entry.loginModule} cannot be used with sasl.mechanism=${mechanism}`, `use ${LOGIN_MODULES[mechanism]}`);
  }
  const username = entry.options.get('username');
  const password = entry.options.get('password');
  if (username === undefined || username === '') props.fail(key, 'has no username="…" option', `write it as ${JAAS_EXAMPLE(mechanism)}`);
  if (password === undefined) props.fail(key, 'has no password="…" option', `write it as ${JAAS_EXAMPLE(mechanism)}`);
  return { username, password };
}
