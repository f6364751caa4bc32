import { apiVersionsV3, type Connection, type Reader } from '@platformatic/kafka';
import { KrerouteError } from '../../common/errors.ts';
import { skipTaggedFields } from '../wire/tagged-fields.ts';

/** What a broker answered to ApiVersions: api key → the versions it accepts. */
export type ApiVersionRanges = Map<number, { minVersion: number; maxVersion: number }>;

export const API_VERSIONS_API_KEY = 18;
export const API_VERSIONS_VERSION = 3;
const UNSUPPORTED_VERSION = 35;

const API_NAMES: Record<number, string> = { 0: 'Produce', 1: 'Fetch', 10: 'FindCoordinator', 22: 'InitProducerId', 24: 'AddPartitionsToTxn', 26: 'EndTxn' };

/** The ApiVersions v3 request body: client software name and version (compact strings), no tagged fields. */
export function apiVersionsV3Body(): Buffer[] {
  const name = Buffer.from('kreroute');
  const version = Buffer.from('1');
  return [Buffer.from([name.length + 1]), name, Buffer.from([version.length + 1]), version, Buffer.from([0])];
}

/**
 * Parses an ApiVersions response body (its response header has no tagged fields). A broker that
 * does not know v3 answers UNSUPPORTED_VERSION in the v0 layout, still listing what it supports.
 */
export function parseApiVersions(reader: Reader): ApiVersionRanges {
  const errorCode = reader.readInt16();
  const ranges: ApiVersionRanges = new Map();
  const legacy = errorCode === UNSUPPORTED_VERSION;
  if (errorCode !== 0 && !legacy) throw new KrerouteError('KAFKA', `the broker refused ApiVersions (error ${errorCode})`);
  const count = legacy ? reader.readInt32() : reader.readUnsignedVarInt() - 1;
  for (let i = 0; i < count; i++) {
    const apiKey = reader.readInt16();
    ranges.set(apiKey, { minVersion: reader.readInt16(), maxVersion: reader.readInt16() });
    if (!legacy) skipTaggedFields(reader);
  }
  return ranges;
}

/**
 * Fails at once, in one line, when the broker cannot take the request version kreroute sends
 * (an older broker otherwise closes the connection, which looks like a network failure).
 */
export function requireApiVersion(ranges: ApiVersionRanges, apiKey: number, version: number, broker: string): void {
  const range = ranges.get(apiKey);
  if (range && range.minVersion <= version && version <= range.maxVersion) return;
  const name = API_NAMES[apiKey] ?? `API ${apiKey}`;
  const offered = range ? `supports ${name} versions ${range.minVersion} to ${range.maxVersion}` : `does not support ${name}`;
  throw new KrerouteError('UNSUPPORTED', `broker ${broker} ${offered}; kreroute needs ${name} v${version}`, {
    hint: 'kreroute needs Kafka 2.8 or later (Produce v9, Fetch v12); upgrade the brokers or copy with another tool',
  });
}

const libraryVersions = new WeakMap<Connection, Promise<ApiVersionRanges>>();

/** The API versions of the broker at the end of a client-library connection, asked once per connection. */
export function libraryApiVersions(connection: Connection): Promise<ApiVersionRanges> {
  let versions = libraryVersions.get(connection);
  if (!versions) {
    versions = apiVersionsV3.api
      .async(connection, 'kreroute', '1')
      .then((response) => new Map(response.apiKeys.map((api) => [api.apiKey, { minVersion: api.minVersion, maxVersion: api.maxVersion }])));
    libraryVersions.set(connection, versions);
    versions.catch(() => libraryVersions.delete(connection));
  }
  return versions;
}
