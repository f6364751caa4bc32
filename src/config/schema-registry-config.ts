import { KrerouteError } from '../common/errors.ts';
import type { PropertyEntry } from './properties-format.ts';

/** A cluster's schema registry as its client properties name it (Confluent's serializer keys). */
export interface SchemaRegistryConfig {
  url?: string;
  /** `user:password`; never shown. */
  basicAuthUserInfo?: string;
  /** Never shown. */
  bearerToken?: string;
}

/** The keys read here; `schema.registry.ssl.*` is refused (not supported yet). */
export const SCHEMA_REGISTRY_KEYS = new Set([
  'schema.registry.url',
  'basic.auth.credentials.source',
  'basic.auth.user.info',
  'bearer.auth.credentials.source',
  'bearer.auth.token',
]);

/**
 * The registry settings among a side's merged properties, or undefined when there are none.
 * Only the credential sources that name a value in the file are accepted: basic auth from
 * USER_INFO, a bearer token from STATIC_TOKEN.
 */
export function schemaRegistryConfigFrom(entries: PropertyEntry[]): SchemaRegistryConfig | undefined {
  const get = (key: string) => entries.findLast((e) => e.key === key)?.value.trim();
  const tls = entries.find((e) => e.key.startsWith('schema.registry.ssl.'));
  if (tls) {
    throw new KrerouteError('CONFIG', `${tls.file ?? 'properties'}: ${tls.key} is not supported yet`, {
      hint: "remove it: kreroute reaches a registry over http, or https with a certificate Node's default CAs trust",
    });
  }
  const config: SchemaRegistryConfig = {};
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
