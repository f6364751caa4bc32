import type { Command } from 'commander';
import type { SchemaRegistryConfig } from '../../config/schema-registry-config.ts';
import { KrerouteError } from '../../common/errors.ts';
import type { PlanRequest } from '../../plan/create-plan.ts';
import { type ClusterFlags, addClusterOptions } from './cluster-options.ts';
import { type FilterFlags, parseFilter, parseHours, parseMapping, parseRangePoint, parseRegex, parseTopicName, parseTopics } from './options.ts';

export interface PlanFlags extends ClusterFlags, FilterFlags {
  topic?: string[];
  topicRegex?: string;
  from: string;
  to: string;
  destTopic?: string;
  mapping: string;
  exact?: boolean;
  createTopics?: boolean;
  acceptLogAppendTime?: boolean;
  acceptDestinationLoss?: boolean;
  keepMarginHours?: string;
  sourceSchemaRegistry?: string;
  destSchemaRegistry?: string;
  schemas?: string;
  out?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** The flags that describe what to move; shared by `plan` and `reroute`. */
export function addPlanOptions(command: Command): Command {
  addClusterOptions(command, false);
  return command
    .option('--topic <name>', 'source topic (repeat the flag, or separate names with commas)', collect)
    .option('--topic-regex <re>', 'source topics whose whole name matches this regular expression')
    .option('--from <point>', 'range start: earliest | offset:N | time:<ISO 8601> | time:<epoch ms>', 'earliest')
    .option('--to <point>', 'range end: latest | offset:N | time:<ISO 8601> | time:<epoch ms>', 'latest')
    .option('--key-prefix <prefix>', "only records whose key starts with this (the tenant's prefix)")
    .option('--key-regex <re>', 'only records whose key matches this regular expression')
    .option('--header <NAME=VALUE>', 'only records with this header value')
    .option('--json-field <PATH=VALUE>', 'only records whose JSON value has this field value (PATH like tenant or customer.tenant)')
    .option('--dest-topic <name>', 'destination topic name (with one source topic; default: the same name)')
    .option('--mapping <mapping>', 'destination partition: same (N → N) or key-hash', 'same')
    .option('--exact', 'scan the range and count the matching records exactly (slower, sharper checks)')
    .option('--create-topics', "create missing destination topics with the source's partition count and configs")
    .option(
      '--accept-log-append-time',
      'copy into destination topics with message.timestamp.type=LogAppendTime (copies get the copy time; verify compares everything else)',
    )
    .option('--source-schema-registry <url>', "the source cluster's schema registry (Confluent API): plan checks the records' schema ids on both registries")
    .option('--dest-schema-registry <url>', "the destination cluster's schema registry (with --source-schema-registry)")
    .option(
      '--schemas <mode>',
      "check (the schema ids must mean the same on both registries), register (register the missing schemas on the destination with the same ids: IMPORT mode) or translate (register them under the destination's ids and rewrite the copies' ids)",
      'check',
    )
    .option('--out <file>', 'the plan file (JSON) to write (required)')
    .option(ACCEPT_DESTINATION_LOSS, ACCEPT_DESTINATION_LOSS_HELP)
    .option(KEEP_MARGIN_HOURS, KEEP_MARGIN_HOURS_HELP);
}

export const ACCEPT_DESTINATION_LOSS = '--accept-destination-loss';
export const ACCEPT_DESTINATION_LOSS_HELP =
  "go on although the destination topic's retention (retention.ms, retention.bytes) would delete copied records; purge still refuses";
export const KEEP_MARGIN_HOURS = '--keep-margin-hours <h>';
export const KEEP_MARGIN_HOURS_HELP = 'how long copied records must stay on the destination beyond the job, checked against its retention (default 24)';

/** --accept-destination-loss and --keep-margin-hours as engine options. */
export function keepFromFlags(flags: { acceptDestinationLoss?: boolean; keepMarginHours?: string }): {
  acceptDestinationLoss?: boolean;
  keepMarginMs?: number;
} {
  return {
    ...(flags.acceptDestinationLoss ? { acceptDestinationLoss: true } : {}),
    ...(flags.keepMarginHours !== undefined ? { keepMarginMs: parseHours(flags.keepMarginHours, '--keep-margin-hours') } : {}),
  };
}

/** The required --out; checked by hand so that commander reports unknown options first. */
export function planFileFromFlags(flags: PlanFlags): string {
  if (flags.out === undefined || flags.out.trim() === '') {
    throw new KrerouteError('BAD_INPUT', '--out: no plan file given', { hint: 'give the file to write the plan to, e.g. --out tenant-b.plan.json' });
  }
  return flags.out;
}

/** Everything but the clusters, checked before any connection is made. */
export function planRequestFromFlags(flags: PlanFlags): Omit<PlanRequest, 'source' | 'destination'> {
  const topics = parseTopics(flags.topic ?? []);
  if (topics.length > 0 && flags.topicRegex !== undefined) {
    throw new KrerouteError('BAD_INPUT', '--topic and --topic-regex: only one can be given', { hint: 'name the topics, or give one pattern' });
  }
  if (topics.length === 0 && flags.topicRegex === undefined) {
    throw new KrerouteError('BAD_INPUT', 'no topic given', { hint: 'give --topic NAME (repeatable) or --topic-regex RE' });
  }
  const request: Omit<PlanRequest, 'source' | 'destination'> = {
    from: parseRangePoint(flags.from, '--from'),
    to: parseRangePoint(flags.to, '--to'),
    mapping: parseMapping(flags.mapping),
    exact: flags.exact === true,
    createTopics: flags.createTopics === true,
  };
  if (flags.acceptLogAppendTime) request.acceptLogAppendTime = true;
  Object.assign(request, keepFromFlags(flags));
  if (topics.length > 0) request.topics = topics;
  if (flags.topicRegex !== undefined) request.topicPattern = parseRegex(flags.topicRegex, '--topic-regex');
  const filter = parseFilter(flags);
  if (filter) request.filter = filter;
  if (flags.destTopic !== undefined) {
    if (topics.length !== 1) {
      throw new KrerouteError('BAD_INPUT', '--dest-topic: needs exactly one --topic', {
        hint: 'plan each topic separately to rename it, or drop --dest-topic to keep the names',
      });
    }
    request.destinationTopic = parseTopicName(flags.destTopic, '--dest-topic');
  }
  return request;
}

/**
 * Both sides' schema registries: the URL from --source-schema-registry / --dest-schema-registry, else
 * from schema.registry.url in the side's properties, with the auth of the properties. Both or neither.
 */
export function schemaRegistriesOf(
  flags: PlanFlags,
  fromProperties: { source?: SchemaRegistryConfig; destination?: SchemaRegistryConfig },
): PlanRequest['schemaRegistries'] {
  const source =
    flags.sourceSchemaRegistry !== undefined ? parseRegistryUrl(flags.sourceSchemaRegistry, '--source-schema-registry') : fromProperties.source?.url;
  const destination =
    flags.destSchemaRegistry !== undefined ? parseRegistryUrl(flags.destSchemaRegistry, '--dest-schema-registry') : fromProperties.destination?.url;
  const mode = schemasMode(flags.schemas);
  if (source === undefined && destination === undefined) {
    if (mode === 'check') return undefined;
    throw new KrerouteError('BAD_INPUT', `--schemas ${mode}: needs both schema registries`, {
      hint: 'give --source-schema-registry and --dest-schema-registry (or schema.registry.url in both properties)',
    });
  }
  if (source === undefined || destination === undefined) {
    const missing = source === undefined ? 'source' : 'destination';
    throw new KrerouteError('BAD_INPUT', `no schema registry for the ${missing}: kreroute checks schema ids on both registries`, {
      hint: `give ${missing === 'source' ? '--source-schema-registry' : '--dest-schema-registry'} URL (or schema.registry.url in its properties), or neither`,
    });
  }
  const side = (url: string, config: SchemaRegistryConfig | undefined) => {
    if (config?.tls && !url.startsWith('https:')) {
      throw new KrerouteError('BAD_INPUT', `schema.registry.ssl.* is set, but the registry ${url} is not https`, {
        hint: 'give the registry as https://host:port, or remove the schema.registry.ssl.* keys',
      });
    }
    return {
      url,
      ...(config?.basicAuthUserInfo ? { basicAuthUserInfo: config.basicAuthUserInfo } : {}),
      ...(config?.bearerToken ? { bearerToken: config.bearerToken } : {}),
      ...(config?.tls ? { tls: config.tls } : {}),
    };
  };
  return {
    source: side(source, fromProperties.source),
    destination: side(destination, fromProperties.destination),
    ...(mode === 'translate' ? { translate: true } : mode === 'register' ? { register: true } : {}),
  };
}

function schemasMode(value: string | undefined): 'check' | 'register' | 'translate' {
  if (value === undefined || value === 'check' || value === 'register' || value === 'translate') return value ?? 'check';
  throw new KrerouteError('BAD_INPUT', `--schemas: unknown mode "${value}"`, { hint: 'use check, register or translate' });
}

function parseRegistryUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KrerouteError('BAD_INPUT', `${flag}: not a URL`, { hint: 'give the registry as http(s)://host:port[/path]' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KrerouteError('BAD_INPUT', `${flag}: ${url.protocol} is not http or https`, { hint: 'give the registry as http(s)://host:port[/path]' });
  }
  if (url.username || url.password) {
    throw new KrerouteError('BAD_INPUT', `${flag}: credentials in the URL`, {
      hint: 'put them in basic.auth.user.info in a properties file, not on the command line',
    });
  }
  return url.href.replace(/\/+$/, '');
}
