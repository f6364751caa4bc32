import type { ConnectionOptions } from 'node:tls';
import { KrerouteError } from '../common/errors.ts';
import type { PropertyEntry } from './properties-format.ts';
import { TLS_KEYS } from './known-keys.ts';
import { PropertySet } from './property-set.ts';
import { tlsFromProperties } from './tls-settings.ts';

/** A cluster's schema registry as its client properties name it (Confluent's serializer keys). */
export interface SchemaRegistryConfig {
  url?: string;
  /** `user:password`; never shown. */
  basicAuthUserInfo?: string;
  /** Never shown. */
  bearerToken?: string;
  /** From `schema.registry.ssl.*`: the CA certificates to trust, a client certificate, TLS versions. */
  tls?: ConnectionOptions;
}

const TLS_PREFIX = 'schema.registry.';

/** Confluent's registry client takes Kafka's `ssl.*` keys under `schema.registry.`: those kreroute reads for a broker too. */
const REGISTRY_TLS_KEYS = new Set(TLS_KEYS);

/** The keys read here (properties.ts does not report them as unknown). */
export const SCHEMA_REGISTRY_KEYS = new Set([
  'schema.registry.url',
  'basic.auth.credentials.source',
  'basic.auth.user.info',
  'bearer.auth.credentials.source',
  'bearer.auth.token',
  ...[...REGISTRY_TLS_KEYS].map((key) => TLS_PREFIX + key),
]);

/**
 * The registry settings among a side's merged properties, or undefined when there are none.
 * Only the credential sources that name a value in the file are accepted: basic auth from
 * USER_INFO, a bearer token from STATIC_TOKEN. `schema.registry.ssl.*` is read as Kafka's `ssl.*`
 * is for a broker (PEM or PKCS12 key material, PEM trusted certificates).
 */
export async function schemaRegistryConfigFrom(entries: PropertyEntry[], file: string): Promise<SchemaRegistryConfig | undefined> {
  const get = (key: string) => entries.findLast((e) => e.key === key)?.value.trim();
  const config: SchemaRegistryConfig = {};
  const tls = await registryTls(entries, file);
  if (tls) config.tls = tls;
  const url = get('schema.registry.url');
  // Confluent's clients take a comma-separated list; the first registry answers for all.
  if (url) config.url = url.split(',')[0]!.trim();
  const basicSource = (get('basic.auth.credentials.source') ?? 'USER_INFO').toUpperCase();
  const userInfo = get('basic.auth.user.info');
  if (userInfo) {
    if (basicSource !== 'USER_INFO') {
      throw new KrerouteError('CONFIG', `basic.auth.credentials.source=${basicSource} is not supported`, {
        hint: 'use basic.auth.credentials.source=USER_INFO with basic.auth.user.info',
      });
    }
    config.basicAuthUserInfo = userInfo;
  }
  const token = get('bearer.auth.token');
  if (token) {
    const bearerSource = (get('bearer.auth.credentials.source') ?? 'STATIC_TOKEN').toUpperCase();
    if (bearerSource !== 'STATIC_TOKEN') {
      throw new KrerouteError('CONFIG', `bearer.auth.credentials.source=${bearerSource} is not supported`, {
        hint: 'use bearer.auth.credentials.source=STATIC_TOKEN with bearer.auth.token',
      });
    }
    if (config.basicAuthUserInfo) {
      throw new KrerouteError('CONFIG', 'basic.auth.user.info and bearer.auth.token: only one can be given', { hint: 'keep the one the registry expects' });
    }
    config.bearerToken = token;
  }
  return Object.keys(config).length === 0 ? undefined : config;
}

/** The TLS options of `schema.registry.ssl.*`, or undefined when none is set. */
async function registryTls(entries: PropertyEntry[], file: string): Promise<ConnectionOptions | undefined> {
  const prefixed = entries.filter((e) => e.key.startsWith(`${TLS_PREFIX}ssl.`));
  if (prefixed.length === 0) return undefined;
  const unknown = prefixed.find((e) => !REGISTRY_TLS_KEYS.has(e.key.slice(TLS_PREFIX.length)));
  if (unknown) {
    throw new KrerouteError('CONFIG', `${unknown.file ?? file}: ${unknown.key} is not a setting kreroute reads`, {
      hint: `remove it: kreroute reads the ${TLS_PREFIX}ssl.* keys it reads for a broker (truststore, keystore, key.password, endpoint.identification.algorithm, enabled.protocols, protocol)`,
    });
  }
  const set = new PropertySet(
    file,
    prefixed.map((e) => ({ ...e, key: e.key.slice(TLS_PREFIX.length) })),
    TLS_PREFIX,
  );
  return tlsFromProperties(set);
}
