import { KrerouteError } from '../common/errors.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import { parseBootstrap } from './bootstrap.ts';
import { describeSite } from './config-error.ts';
import type { PropertyEntry } from './properties-format.ts';
import { type ClientProperties, clientPropertiesFrom, readPropertyEntries } from './properties.ts';
import { type SchemaRegistryConfig, schemaRegistryConfigFrom } from './schema-registry-config.ts';

export type Side = 'source' | 'destination';

/** What the user gave for one side: `--source` / `--source-config` (or the destination pair). */
export interface SideInput {
  bootstrap?: string | undefined;
  configFile?: string | undefined;
  /** `--command-config`: properties under configFile, which overrides it key by key. */
  commandConfigFile?: string | undefined;
  /** `-X key=value` properties on top of both files, later ones winning; `file` names them in messages. */
  overrides?: PropertyEntry[] | undefined;
}

export interface SideDefaults {
  env?: NodeJS.ProcessEnv;
  /** Last resort for the bootstrap list, e.g. the address recorded in a plan. */
  fallbackBootstrap?: { value: string; origin: string };
}

export interface ResolvedCluster {
  settings: ClientSettings;
  /** Ignored keys of the properties file, to show the user. */
  warnings: string[];
  /** The side's schema registry from its properties (schema.registry.url, basic.auth.user.info, …). */
  schemaRegistry?: SchemaRegistryConfig;
}

const NAMES = {
  source: { flag: '--source', configFlag: '--source-config', env: 'KREROUTE_SOURCE_BOOTSTRAP', configEnv: 'KREROUTE_SOURCE_CONFIG' },
  destination: { flag: '--destination', configFlag: '--dest-config', env: 'KREROUTE_DEST_BOOTSTRAP', configEnv: 'KREROUTE_DEST_CONFIG' },
} as const;

export function sideNames(side: Side): (typeof NAMES)[Side] {
  return NAMES[side];
}

/**
 * Settings for one side. The bootstrap list comes from the flag, else the env var, else the
 * properties' bootstrap.servers, else the fallback; the properties file from the flag, else the env
 * var. Properties are layered key by key: the command config, the side's file, then the overrides.
 */
export async function clusterSettings(side: Side, input: SideInput, defaults: SideDefaults = {}): Promise<ResolvedCluster> {
  const names = NAMES[side];
  const env = defaults.env ?? process.env;
  const configFile = nonEmpty(input.configFile) ?? nonEmpty(env[names.configEnv]);
  const properties = await layeredProperties([nonEmpty(input.commandConfigFile), configFile], input.overrides ?? []);

  let bootstrap: string[];
  const flag = nonEmpty(input.bootstrap);
  const fromEnv = nonEmpty(env[names.env]);
  if (flag !== undefined) {
    bootstrap = parseBootstrap(flag, names.flag);
  } else if (fromEnv !== undefined) {
    bootstrap = parseBootstrap(fromEnv, names.env);
  } else if (properties?.bootstrapServers) {
    bootstrap = parseBootstrap(properties.bootstrapServers.value, describeSite(properties.bootstrapServers.site), 'CONFIG');
  } else if (defaults.fallbackBootstrap) {
    bootstrap = parseBootstrap(defaults.fallbackBootstrap.value, defaults.fallbackBootstrap.origin);
  } else {
    throw new KrerouteError('BAD_INPUT', `no ${side} cluster given`, {
      hint: `give ${names.flag} host:port (or set ${names.env}, or bootstrap.servers in ${names.configFlag})`,
    });
  }
  const schemaRegistry = properties ? await schemaRegistryConfigFrom(properties.entries, configFile ?? input.commandConfigFile ?? '-X') : undefined;
  return { settings: { ...properties?.settings, bootstrap }, warnings: properties?.warnings ?? [], ...(schemaRegistry ? { schemaRegistry } : {}) };
}

async function layeredProperties(
  files: Array<string | undefined>,
  overrides: PropertyEntry[],
): Promise<(ClientProperties & { entries: PropertyEntry[] }) | undefined> {
  const given = files.filter((file) => file !== undefined);
  if (given.length === 0 && overrides.length === 0) return undefined;
  const merged = new Map<string, PropertyEntry>();
  for (const file of given) {
    for (const entry of await readPropertyEntries(file)) merged.set(entry.key, { ...entry, file });
  }
  for (const entry of overrides) merged.set(entry.key, entry);
  const entries = [...merged.values()];
  return { ...(await clientPropertiesFrom(entries, given[given.length - 1] ?? '-X')), entries };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
