import type { Command } from 'commander';
import { type Side, clusterSettings } from '../../config/cluster-settings.ts';
import type { ClientSettings } from '../../kafka/client/client-settings.ts';
import type { Plan } from '../../plan/plan.ts';
import type { CliContext } from '../context.ts';
import { parseDuration } from './options.ts';

export interface ClusterFlags {
  source?: string;
  destination?: string;
  sourceConfig?: string;
  destConfig?: string;
  waitTimeout?: string;
}

/** --source/--destination and their properties files. For plan-based commands they are optional. */
export function addClusterOptions(command: Command, forPlanFile: boolean, sides: readonly Side[] = ['source', 'destination']): Command {
  const fallback = forPlanFile ? ' (default: the address in the plan)' : '';
  if (sides.includes('source')) {
    command
      .option('--source <bootstrap>', `source cluster bootstrap brokers, host:port[,host:port] (env KREROUTE_SOURCE_BOOTSTRAP)${fallback}`)
      .option('--source-config <file>', 'Kafka client .properties file for the source: security, client.id, timeouts (env KREROUTE_SOURCE_CONFIG)');
  }
  if (sides.includes('destination')) {
    command
      .option('--destination <bootstrap>', `destination cluster bootstrap brokers (env KREROUTE_DEST_BOOTSTRAP)${fallback}`)
      .option('--dest-config <file>', 'Kafka client .properties file for the destination (env KREROUTE_DEST_CONFIG)');
  }
  command.option(
    '--wait-timeout <duration>',
    "give up on any one wait after this long (an unanswered broker, a coordinator or leader that does not come, another producer's open transaction); waits are reported every 5 s (e.g. 90s, 10m; default 5m)",
  );
  return command;
}

/** Settings of one side; warnings about ignored properties keys go to the user. */
export async function resolveCluster(ctx: CliContext, side: Side, flags: ClusterFlags, plan?: Plan): Promise<ClientSettings> {
  const [bootstrap, configFile] = side === 'source' ? [flags.source, flags.sourceConfig] : [flags.destination, flags.destConfig];
  const recorded = plan?.[side].bootstrap;
  const resolved = await clusterSettings(
    side,
    { bootstrap, configFile },
    { env: ctx.env, ...(recorded ? { fallbackBootstrap: { value: recorded, origin: `the ${side} address in the plan` } } : {}) },
  );
  for (const warning of resolved.warnings) ctx.out.warn('CONFIG_KEYS_IGNORED', warning);
  const waitTimeoutMs = flags.waitTimeout === undefined ? undefined : parseDuration(flags.waitTimeout, '--wait-timeout');
  return { ...resolved.settings, ...(waitTimeoutMs === undefined ? {} : { waitTimeoutMs }), onWait: (message) => ctx.out.event({ type: 'retry', message }) };
}

export async function resolveClusters(ctx: CliContext, flags: ClusterFlags, plan?: Plan): Promise<{ source: ClientSettings; destination: ClientSettings }> {
  const [source, destination] = await Promise.all([resolveCluster(ctx, 'source', flags, plan), resolveCluster(ctx, 'destination', flags, plan)]);
  return { source, destination };
}
