import { readFile } from 'node:fs/promises';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import { type ConfigSite, configError, describeSite } from './config-error.ts';
import { SCHEMA_REGISTRY_KEYS } from './schema-registry-config.ts';
import { BROKER_ONLY_KEYS, HANDLED_KEYS, REFUSED_UNLESS, TUNING_KEYS, isInertSecurityKey, isSecurityKey } from './known-keys.ts';
import { foreignFileKind } from './file-kind.ts';
import { LIBRDKAFKA_KEYS, librdkafkaAdvice } from './librdkafka-keys.ts';
import { PROPERTY_KEY, type PropertyEntry, PropertiesSyntaxError, parseClientProperties } from './properties-format.ts';
import { PropertySet } from './property-set.ts';
import { saslFromProperties } from './sasl-settings.ts';
import { tlsFromProperties } from './tls-settings.ts';

export interface ClientProperties {
  /** Everything a ClientSettings needs except the bootstrap list. */
  settings: Omit<ClientSettings, 'bootstrap'>;
  /** bootstrap.servers, when the file has it (flags and env vars take precedence). */
  bootstrapServers?: { value: string; site: ConfigSite };
  /** Keys that were ignored, and why; they name keys, never values. */
  warnings: string[];
}

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
type Protocol = (typeof PROTOCOLS)[number];

/** Reads a Kafka client .properties file (the format `kafka-console-consumer --consumer.config` takes). */
export async function readClientProperties(file: string): Promise<ClientProperties> {
  return clientPropertiesFrom(await readPropertyEntries(file), file);
}

const NOT_PROPERTIES = 'not a Kafka client .properties file';

/**
 * The entries of a client properties file. A file that is something else (a key, a keystore, JSON,
 * binary, lines that are not key=value) is refused with one line that names the file and what it
 * looks like, and quotes none of it.
 */
export async function readPropertyEntries(file: string): Promise<PropertyEntry[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw configError(
      { file },
      `cannot read the client properties file (${code})`,
      'check the path given to --source-config / --dest-config / --command-config (or KREROUTE_SOURCE_CONFIG / KREROUTE_DEST_CONFIG)',
    );
  }
  const foreign = foreignFileKind(bytes);
  if (foreign) throw configError({ file }, `looks like ${foreign.looksLike}, ${NOT_PROPERTIES}`, foreign.instead);
  try {
    return parseClientProperties(bytes.toString('utf8'));
  } catch (error) {
    if (!(error instanceof PropertiesSyntaxError)) throw error;
    if (error.message.includes('\\u'))
      throw configError({ file, line: error.line }, error.message, 'write \\u followed by four hex digits, or \\\\ for a backslash');
    throw configError(
      { file },
      `line ${error.line} ${error.message}, so this is ${NOT_PROPERTIES}`,
      'write one key=value per line, e.g. security.protocol=SASL_SSL; key and keystore files are named inside it (ssl.keystore.location=…)',
    );
  }
}

/** Turns parsed entries into settings; `file` names the source in messages. */
export async function clientPropertiesFrom(entries: PropertyEntry[], file: string): Promise<ClientProperties> {
  const props = new PropertySet(file, entries);
  const warnings = classifyKeys(props);

  const protocolText = props.get('security.protocol') ?? 'PLAINTEXT';
  const protocol = protocolText.toUpperCase() as Protocol;
  if (!PROTOCOLS.includes(protocol)) {
    props.fail('security.protocol', 'is not a security protocol', `use one of ${PROTOCOLS.join(', ')}`);
  }
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const present = (prefix: string) => props.keys().filter((k) => k.startsWith(prefix) && HANDLED_KEYS.has(k));
  if (!usesTls && present('ssl.').length > 0) {
    warnings.push(
      `${origins(props, present('ssl.'))}: ${present('ssl.').join(', ')} ignored because security.protocol is ${protocol} (use SSL or SASL_SSL for TLS)`,
    );
  }
  if (!usesSasl && present('sasl.').length > 0) {
    warnings.push(
      `${origins(props, present('sasl.'))}: ${present('sasl.').join(', ')} ignored because security.protocol is ${protocol} (use SASL_SSL or SASL_PLAINTEXT for SASL)`,
    );
  }

  const settings: Omit<ClientSettings, 'bootstrap'> = {};
  if (usesTls) settings.tls = await tlsFromProperties(props);
  if (usesSasl) settings.sasl = saslFromProperties(props);
  const clientId = props.get('client.id');
  if (clientId) settings.clientId = clientId;
  const requestTimeoutMs = props.positiveInteger('request.timeout.ms');
  if (requestTimeoutMs !== undefined) settings.requestTimeoutMs = requestTimeoutMs;
  const connectTimeoutMs = props.positiveInteger('socket.connection.setup.timeout.ms');
  if (connectTimeoutMs !== undefined) settings.connectTimeoutMs = connectTimeoutMs;

  const bootstrap = props.get('bootstrap.servers');
  const result: ClientProperties = { settings, warnings };
  if (bootstrap) result.bootstrapServers = { value: bootstrap, site: props.site('bootstrap.servers') };
  return result;
}

/** Refuses security keys we cannot honour; returns warnings for the keys we ignore visibly (by name, never value). */
function classifyKeys(props: PropertySet): string[] {
  const warnings: string[] = [];
  const unknown = new Map<string, string[]>();
  for (const key of props.keys()) {
    if (HANDLED_KEYS.has(key) || TUNING_KEYS.has(key) || SCHEMA_REGISTRY_KEYS.has(key)) continue;
    const librdkafka = LIBRDKAFKA_KEYS.get(key);
    if (librdkafka) {
      if (librdkafka.harmless?.(props.get(key) ?? '')) continue;
      const advice = librdkafkaAdvice(librdkafka);
      if (librdkafka.refuse) props.fail(key, advice.message, advice.hint);
      warnings.push(`${describeSite(props.site(key))}: ${advice.message}; ignored (${advice.hint})`);
      continue;
    }
    if (isInertSecurityKey(key)) continue;
    const refused = REFUSED_UNLESS.get(key) ?? (key.startsWith('config.providers.') ? REFUSED_UNLESS.get('config.providers') : undefined);
    if (refused) {
      if (!refused.accepts(props.get(key) ?? '')) props.fail(key, 'cannot be honoured', refused.why);
      continue;
    }
    if (BROKER_ONLY_KEYS.has(key) || key.startsWith('listener.name.')) {
      warnings.push(`${props.origin(key)}: ${key} is a broker setting; ignored`);
      continue;
    }
    if (isSecurityKey(key)) {
      props.fail(
        key,
        'is not a security setting kreroute knows, and it does not ignore security settings',
        'check the spelling, or remove the key (see docs/configuration.md, Client properties file)',
      );
    }
    // Only key-shaped names are ever repeated back; the parser refuses anything else already.
    if (!PROPERTY_KEY.test(key)) continue;
    const origin = props.origin(key);
    unknown.set(origin, [...(unknown.get(origin) ?? []), key]);
  }
  for (const [origin, keys] of unknown) warnings.push(`${origin}: unknown keys ignored: ${keys.join(', ')}`);
  return warnings;
}

/** The files (or -X) the keys came from, for a warning about them. */
function origins(props: PropertySet, keys: string[]): string {
  return [...new Set(keys.map((key) => props.origin(key)))].join(', ');
}
