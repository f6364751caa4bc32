import { type Command, Option } from 'commander';
import type { SchemaRegistryConfig } from '../../config/schema-registry-config.ts';
import { KrerouteError } from '../../common/errors.ts';
import { type Side, clusterSettings } from '../../config/cluster-settings.ts';
import { type PropertyOverride, overrideEntries, parsePropertyOverride } from '../../config/property-override.ts';
import type { ClientSettings } from '../../kafka/client/client-settings.ts';
import type { Plan } from '../../plan/plan.ts';
import type { CliContext } from '../context.ts';
import { parseDuration } from './options.ts';

export interface ClusterFlags {
  source?: string;
  destination?: string;
  /** Kafka's spelling of --source / --destination. */
  sourceBootstrapServer?: string;
  destBootstrapServer?: string;
  /** --bootstrap-server / -b: the one cluster of a one-cluster command (refused on the others). */
  bootstrapServer?: string;
  sourceConfig?: string;
  destConfig?: string;
  /** --command-config: the properties of every cluster the command talks to. */
  commandConfig?: string;
  /** -X / --command-property, parsed as given. */
  commandProperty?: PropertyOverride[];
  waitTimeout?: string;
}

const BOOTSTRAP_FLAGS = {
  source: ['--source', '--source-bootstrap-server'],
  destination: ['--destination', '--dest-bootstrap-server'],
} as const;

/**
 * The cluster flags: --source/--destination and their properties files, with Kafka's spellings
 * beside them (--source-bootstrap-server, --dest-bootstrap-server, --command-config, -X). For
 * plan-based commands the addresses are optional. A command of one cluster also takes
 * --bootstrap-server / -b for it; on a two-cluster command that flag is refused with the two to use.
 */
export function addClusterOptions(command: Command, forPlanFile: boolean, sides: readonly Side[] = ['source', 'destination']): Command {
  const fallback = forPlanFile ? ' (default: the address in the plan)' : '';
  if (sides.includes('source')) {
    command
      .option('--source <bootstrap>', `source cluster bootstrap brokers, host:port[,host:port] (env KREROUTE_SOURCE_BOOTSTRAP)${fallback}`)
      .option('--source-bootstrap-server <bootstrap>', "the same as --source (the Kafka tools' name)")
      .option('--source-config <file>', 'Kafka client .properties file for the source: security, client.id, timeouts (env KREROUTE_SOURCE_CONFIG)');
  }
  if (sides.includes('destination')) {
    command
      .option('--destination <bootstrap>', `destination cluster bootstrap brokers (env KREROUTE_DEST_BOOTSTRAP)${fallback}`)
      .option('--dest-bootstrap-server <bootstrap>', "the same as --destination (the Kafka tools' name)")
      .option('--dest-config <file>', 'Kafka client .properties file for the destination (env KREROUTE_DEST_CONFIG)');
  }
  if (sides.length === 1) {
    command.option('-b, --bootstrap-server <bootstrap>', `the same as ${BOOTSTRAP_FLAGS[sides[0] as Side][0]} (as in the Kafka tools and kcat)`);
  } else {
    // Registered so that the Kafka tools' habit gets an answer rather than "unknown option".
    command.addOption(
      new Option('-b, --bootstrap-server <bootstrap>').hideHelp().argParser(() => {
        throw new KrerouteError('BAD_INPUT', `--bootstrap-server: ${command.name()} talks to two clusters, so it does not know which one this is`, {
          hint: 'give --source-bootstrap-server (or --source) and --dest-bootstrap-server (or --destination)',
        });
      }),
    );
  }
  const both = sides.length === 1 ? `the ${sides[0]}` : 'both clusters';
  const own = sides.map((side) => (side === 'source' ? '--source-config' : '--dest-config')).join(' / ');
  command
    .option(
      '--command-config <file>',
      `Kafka client .properties file for ${both} (the Kafka tools' name); ${own} ${sides.length > 1 ? 'override' : 'overrides'} it key by key`,
    )
    .option(
      '-X, --command-property <key=value>',
      `one client property on top of the files, repeatable, as in kcat: key=value for ${both}${sides.length > 1 ? ', source:key=value or dest:key=value for one' : ''}`,
      (text: string, previous: PropertyOverride[] | undefined) => [...(previous ?? []), checkSide(parsePropertyOverride(text), sides)],
    );
  command.option(
    '--wait-timeout <duration>',
    "give up on any one wait after this long (an unanswered broker, a coordinator or leader that does not come, another producer's open transaction); waits are reported every 5 s (e.g. 90s, 10m; default 5m)",
  );
  return command;
}

function checkSide(override: PropertyOverride, sides: readonly Side[]): PropertyOverride {
  if (override.side !== undefined && !sides.includes(override.side)) {
    throw new KrerouteError('BAD_INPUT', `-X: this command talks to the ${sides.join(' and ')} only, not the ${override.side}`, {
      hint: 'write -X key=value without a side',
    });
  }
  return override;
}

/** The bootstrap text of one side from its flags; two spellings with different addresses are refused. */
export function bootstrapFlag(side: Side, flags: ClusterFlags, oneCluster: boolean): string | undefined {
  const [plain, kafka] = BOOTSTRAP_FLAGS[side];
  const given: Array<[string, string | undefined]> = [
    [plain, side === 'source' ? flags.source : flags.destination],
    [kafka, side === 'source' ? flags.sourceBootstrapServer : flags.destBootstrapServer],
    ['--bootstrap-server', oneCluster ? flags.bootstrapServer : undefined],
  ];
  const present = given.filter((g): g is [string, string] => g[1] !== undefined);
  if (new Set(present.map(([, value]) => value.trim())).size > 1) {
    throw new KrerouteError('BAD_INPUT', `${present.map(([flag]) => flag).join(' and ')}: two different ${side} addresses given`, {
      hint: 'give the address once',
    });
  }
  return present[0]?.[1];
}

/** Settings of one side; warnings about ignored properties keys go to the user. */
export async function resolveCluster(ctx: CliContext, side: Side, flags: ClusterFlags, plan?: Plan): Promise<ClientSettings> {
  const { settings, warnings } = await resolveSide(ctx, side, flags, plan, true);
  for (const warning of warnings) ctx.out.warn('CONFIG_KEYS_IGNORED', warning);
  return settings;
}

/** Both sides; a warning about a file or -X given for both is shown once. */
export async function resolveClusters(ctx: CliContext, flags: ClusterFlags, plan?: Plan): Promise<{ source: ClientSettings; destination: ClientSettings }> {
  const [source, destination] = await Promise.all([resolveSide(ctx, 'source', flags, plan, false), resolveSide(ctx, 'destination', flags, plan, false)]);
  for (const warning of new Set([...source.warnings, ...destination.warnings])) ctx.out.warn('CONFIG_KEYS_IGNORED', warning);
  return { source: source.settings, destination: destination.settings };
}

async function resolveSide(ctx: CliContext, side: Side, flags: ClusterFlags, plan: Plan | undefined, oneCluster: boolean) {
  const recorded = plan?.[side].bootstrap;
  const resolved = await clusterSettings(
    side,
    {
      bootstrap: bootstrapFlag(side, flags, oneCluster),
      configFile: side === 'source' ? flags.sourceConfig : flags.destConfig,
      commandConfigFile: flags.commandConfig,
      overrides: overrideEntries(flags.commandProperty ?? [], side),
    },
    { env: ctx.env, ...(recorded ? { fallbackBootstrap: { value: recorded, origin: `the ${side} address in the plan` } } : {}) },
  );
  const waitTimeoutMs = flags.waitTimeout === undefined ? undefined : parseDuration(flags.waitTimeout, '--wait-timeout');
  const settings: ClientSettings = {
    ...resolved.settings,
    ...(waitTimeoutMs === undefined ? {} : { waitTimeoutMs }),
    onWait: (message) => ctx.out.event({ type: 'retry', message }),
  };
  return { settings, warnings: resolved.warnings, ...(resolved.schemaRegistry ? { schemaRegistry: resolved.schemaRegistry } : {}) };
}

/** Each side's schema registry from its properties (the files are read again; their warnings were shown by resolveClusters). */
export async function schemaRegistriesOfProperties(
  ctx: CliContext,
  flags: ClusterFlags,
  plan?: Plan,
): Promise<{ source?: SchemaRegistryConfig; destination?: SchemaRegistryConfig }> {
  const [source, destination] = await Promise.all([resolveSide(ctx, 'source', flags, plan, false), resolveSide(ctx, 'destination', flags, plan, false)]);
  return {
    ...(source.schemaRegistry ? { source: source.schemaRegistry } : {}),
    ...(destination.schemaRegistry ? { destination: destination.schemaRegistry } : {}),
  };
}

/** The cluster flags again as arguments, in their plain spelling, for a worker process of this CLI. */
export function clusterArgs(flags: ClusterFlags): string[] {
  const args: string[] = [];
  const given: Array<[string, string | undefined]> = [
    ['--source', bootstrapFlag('source', flags, false)],
    ['--source-config', flags.sourceConfig],
    ['--destination', bootstrapFlag('destination', flags, false)],
    ['--dest-config', flags.destConfig],
    ['--command-config', flags.commandConfig],
  ];
  for (const [flag, value] of given) if (value !== undefined) args.push(flag, value);
  for (const { side, key, value } of flags.commandProperty ?? []) args.push('-X', `${side === undefined ? '' : `${side}:`}${key}=${value}`);
  return args;
}
