import { KrerouteError } from '../common/errors.ts';
import { type EventSink, ignoreEvents } from '../common/events.ts';
import { type ClientSettings, describeBootstrap } from '../kafka/client/client-settings.ts';
import { KafkaCluster, type TopicLayout } from '../kafka/client/cluster.ts';
import {
  type DestinationFacts,
  KEEP_CHECK_CODES,
  type SourceFacts,
  checkDestination,
  checkOverlap,
  fixedCompression,
  maxMessageBytes,
  stampsAppendTime,
} from './checks/destination-checks.ts';
import { sourceNewest } from './checks/keep-facts.ts';
import { type SchemaRegistries, importMissingSchemas, schemaIdChecks } from './checks/schema-ids.ts';
import type { RecordFilterSpec } from './filter/filter-spec.ts';
import { sealPlan } from './plan-file.ts';
import type { ExactCount, PartitionMapping, Plan, PlanCheck, PlanPartition, PlanTopic, RangePoint } from './plan.ts';
import { describePoint, pinRange } from './pin-range.ts';
import { compileFilter } from './filter/record-filter.ts';
import { type TopicPartitions, describePartitions, filterFlag, filterHint, filterMatchedNothing } from './unmatched-filter.ts';
import { resolveTopics } from './resolve-topics.ts';
import { readAllSourceAnchors } from './source-anchors.ts';
import { type RangeCount, countRanges } from './count-ranges.ts';
import type { PinnedPartition } from './pin-range.ts';
import { type Predecessor, checkSameTopics, describeAfter, pinAfter, predecessorRecord } from './follow-up.ts';
import { predecessorExcuse } from './checks/follow-up-overlap.ts';

export interface PlanRequest {
  source: ClientSettings;
  destination: ClientSettings;
  /** Topic names; or use topicPattern. */
  topics?: string[];
  /** A regular expression matched against the whole topic name. */
  topicPattern?: string;
  from: RangePoint;
  to: RangePoint;
  filter?: RecordFilterSpec;
  /** Destination topic name (only with exactly one source topic); defaults to the source name. */
  destinationTopic?: string;
  mapping?: PartitionMapping;
  /** Scan the range and count real records (filter matches, no control or aborted records). */
  exact?: boolean;
  /** Create missing destination topics with the source's partition count and configs. */
  createTopics?: boolean;
  /** Copy into destination topics that stamp records with the append time (their original timestamps are lost). */
  acceptLogAppendTime?: boolean;
  /** Plan although the destination's retention would delete copies (a warning instead of an error; purge still refuses). */
  acceptDestinationLoss?: boolean;
  /** How long copies must stay on the destination beyond the job (default DEFAULT_KEEP_MARGIN_MS, a day). */
  keepMarginMs?: number;
  /**
   * A follow-up plan (`plan --after`): the predecessor's topics, filter, mapping and destination
   * topics, from its end to now. Topics, filter, mapping, destinationTopic, from and to are then ignored.
   */
  after?: Predecessor;
  /** Both clusters' schema registries: the planned records' schema ids are resolved on both (docs/schemas.md). */
  schemaRegistries?: SchemaRegistries;
  onEvent?: EventSink;
}

/** Assumed copy speed for the time estimate; the benchmark in bench/ measures the real one. */
const ASSUMED_BYTES_PER_SECOND = 50 * 1024 * 1024;

interface PartitionDraft {
  pin: PinnedPartition;
  upperBound: number;
  sample: RangeCount | null;
  exact: ExactCount | null;
}

/** A topic of the plan while it is made: what is known of both sides, and of each range. */
interface TopicDraft {
  topic: string;
  /** --schemas translate: the ids the copy rewrites (absent when every id stays). */
  schemaIdMap?: Record<string, number>;
  destinationTopic: string;
  layout: TopicLayout;
  existing: TopicLayout | undefined;
  sourceConfigs: { all: Map<string, string>; overrides: Map<string, string> };
  destinationConfigs: Map<string, string>;
  partitions: PartitionDraft[];
}

const CHECK_ERROR_CODES: Record<string, 'DESTINATION_CHECK' | 'DESTINATION_LOSS' | 'RECORD_TOO_LARGE'> = {
  RECORD_TOO_LARGE: 'RECORD_TOO_LARGE',
  DESTINATION_LOSS: 'DESTINATION_LOSS',
};

export async function createPlan(request: PlanRequest): Promise<Plan> {
  const source = new KafkaCluster(request.source, 'source');
  const destination = new KafkaCluster(request.destination, 'destination');
  try {
    return await planWith(source, destination, request);
  } finally {
    await Promise.all([source.close(), destination.close()]);
  }
}

async function planWith(source: KafkaCluster, destination: KafkaCluster, given: PlanRequest): Promise<Plan> {
  const request = followUpRequest(given);
  const onEvent = request.onEvent ?? ignoreEvents;
  const mapping = request.mapping ?? 'same';
  compileFilter(request.filter); // a bad filter fails here, before any cluster is asked
  onEvent({ type: 'stage', stage: 'plan', message: `planning on source ${describeBootstrap(request.source)}` });
  const [sourceId, destinationId] = await Promise.all([source.clusterId(), destination.clusterId()]);
  const topics = await resolveTopics(source, request.topics, request.topicPattern);
  if (request.destinationTopic !== undefined && topics.length !== 1) {
    throw new KrerouteError('BAD_INPUT', `--dest-topic needs exactly one source topic, the plan has ${topics.length}`);
  }
  const layouts = await source.topicLayouts(topics);
  if (request.after) checkSameTopics(request.after, layouts, { source: sourceId, destination: destinationId });
  const destinationNames = request.after ? request.after.plan.topics.map((t) => t.destination) : topics.map((t) => request.destinationTopic ?? t);
  if (sourceId === destinationId && topics.some((t, i) => t === destinationNames[i])) {
    throw new KrerouteError('BAD_INPUT', 'source and destination are the same topic on the same cluster', {
      hint: 'point --destination at the other cluster, or give --dest-topic',
    });
  }
  const destinationLayouts = await destination.topicLayouts(destinationNames);
  const checks: PlanCheck[] = [];
  const drafts: TopicDraft[] = [];
  for (const [index, topic] of topics.entries()) {
    const layout = layouts.get(topic)!;
    const destinationTopic = destinationNames[index]!;
    const pinned = request.after
      ? await pinAfter(source, request.after.plan.topics[index]!, layout.partitions, checks)
      : await pinRange(source, topic, [...Array(layout.partitions).keys()], request.from, request.to);
    const sourceConfigs = await source.topicConfigs(topic);
    const existing = destinationLayouts.get(destinationTopic);
    const draft: TopicDraft = {
      topic,
      destinationTopic,
      layout,
      existing,
      sourceConfigs,
      destinationConfigs: existing ? (await destination.topicConfigs(destinationTopic)).all : sourceConfigs.all,
      partitions: [],
    };
    for (const pin of pinned) {
      if (request.from.kind === 'offset' && request.from.offset < pin.logStart) {
        checks.push({
          level: 'warning',
          code: 'START_BEFORE_LOG',
          topic,
          partition: pin.partition,
          message: `${topic}[${pin.partition}] starts at ${pin.logStart}; offsets before it no longer exist`,
        });
      }
      draft.partitions.push({ pin, upperBound: Number(pin.end - pin.start), sample: null, exact: null });
    }
    drafts.push(draft);
  }
  // A first look at the start of every range: the estimate without --exact, and the oldest
  // timestamps the checks need before an exact count reads everything.
  await countDrafts(source, drafts, request, onEvent, true);
  // Checks that need no full scan go first: a plan that cannot work fails before minutes of reading.
  throwOnErrors([...checks, ...(await topicChecks(source, destination, drafts, mapping, request))]);
  if (request.exact) {
    onEvent({ type: 'stage', stage: 'plan', message: 'counting the records of every range exactly' });
    await countDrafts(source, drafts, request, onEvent, false);
  }
  checks.push(...(await topicChecks(source, destination, drafts, mapping, request)));
  const schemas = await schemaChecks(source, drafts, request);
  checks.push(...schemas.checks);
  const planTopics: PlanTopic[] = [];
  const toCreate: Array<{ name: string; partitions: number; configs: Map<string, string> }> = [];
  const estimates: Array<{ records: number; bytes: number }> = [];
  for (const draft of drafts) {
    const destinationPartitions = draft.existing?.partitions ?? draft.layout.partitions;
    if (!draft.existing) toCreate.push({ name: draft.destinationTopic, partitions: draft.layout.partitions, configs: draft.sourceConfigs.overrides });
    const partitions: PlanPartition[] = draft.partitions.map((p) => {
      estimates.push(estimateOf(p, request.exact === true));
      return {
        partition: p.pin.partition,
        start: String(p.pin.start),
        end: String(p.pin.end),
        destinationPartition: mapping === 'same' ? p.pin.partition : null,
        upperBound: p.upperBound,
        exact: request.exact ? (p.exact ?? emptyCount()) : null,
      };
    });
    planTopics.push({
      source: draft.topic,
      destination: draft.destinationTopic,
      sourcePartitions: draft.layout.partitions,
      destinationPartitions,
      // Read with the layouts, before the ranges were pinned: a topic recreated while planning fails the later comparisons.
      ...(draft.layout.id ? { sourceTopicId: draft.layout.id } : {}),
      ...(draft.existing?.id ? { destinationTopicId: draft.existing.id } : {}),
      destinationMaxMessageBytes: maxMessageBytes(draft.destinationConfigs),
      destinationStarts: draft.existing
        ? await highWatermarks(destination, draft.destinationTopic, destinationPartitions)
        : Array.from({ length: destinationPartitions }, () => '0'),
      ...(stampsAppendTime(draft.destinationConfigs) ? { destinationTimestamps: 'log-append-time' as const } : {}),
      ...withFixedCompression(draft.destinationConfigs),
      ...(draft.schemaIdMap ? { schemaIdMap: draft.schemaIdMap } : {}),
      partitions,
    });
  }
  throwOnErrors(checks);
  const total = estimates.reduce((sum, e) => ({ records: sum.records + e.records, bytes: sum.bytes + e.bytes }), { records: 0, bytes: 0 });
  if (request.filter && request.exact && !request.after && total.records === 0 && drafts.some((d) => d.partitions.some((p) => p.upperBound > 0))) {
    throw filterMatchedNothing(
      request.filter,
      rangesOf(drafts),
      sum(drafts, (p) => (p.exact ? p.exact.records + p.exact.otherRecords : 0)),
      'nothing was planned',
    );
  }
  if (planTopics.every((t) => t.partitions.every((p) => p.upperBound === 0)) || (request.exact && total.records === 0)) {
    if (request.after) {
      throw new KrerouteError(
        'EMPTY_RANGE',
        `nothing to copy: no ${request.filter ? 'matching ' : ''}records reached the source after the end of ${request.after.planFile}`,
        {
          hint: `nothing follows it yet; \`kreroute status ${request.after.planFile}\` shows late writes when they come`,
        },
      );
    }
    throw new KrerouteError(
      'EMPTY_RANGE',
      `nothing to copy: the range ${describePoint(request.from)} → ${describePoint(request.to)} holds no ${request.filter ? 'matching ' : ''}records`,
      {
        hint: 'widen --from/--to, or check the topic names and the filter',
      },
    );
  }
  if (request.filter && !request.exact && total.records === 0) warnOnEmptySample(request.filter, drafts, onEvent);
  await anchorRanges(source, planTopics);
  // --schemas register writes to the destination's registry, as topics are created: once nothing else refuses the plan.
  if (schemas.missing.length > 0 && request.schemaRegistries) {
    checks.push(await importMissingSchemas(schemas.missing, request.schemaRegistries));
    throwOnErrors(checks);
  }
  for (const topic of toCreate) {
    onEvent({ type: 'info', message: `creating ${topic.name} on the destination with ${topic.partitions} partitions` });
    await destination.createTopic(topic.name, topic.partitions, topic.configs);
    checks.push({
      level: 'info',
      code: 'TOPIC_CREATED',
      topic: topic.name,
      message: `created destination topic ${topic.name} with ${topic.partitions} partitions and the source's topic configs`,
    });
  }
  await recordCreatedTopicIds(
    destination,
    planTopics.filter((t) => toCreate.some((c) => c.name === t.destination)),
  );
  return sealPlan({
    format: 'kreroute-plan',
    version: 1,
    createdAt: new Date().toISOString(),
    source: { clusterId: sourceId, bootstrap: describeBootstrap(request.source) },
    destination: { clusterId: destinationId, bootstrap: describeBootstrap(request.destination) },
    range: request.after ? describeAfter(request.after) : { from: describePoint(request.from), to: describePoint(request.to) },
    filter: request.filter ?? null,
    mapping,
    topics: planTopics,
    ...(request.after ? { after: predecessorRecord(request.after) } : {}),
    estimate: {
      records: total.records,
      exact: request.exact === true,
      bytes: total.bytes,
      seconds: Math.max(1, Math.ceil(total.bytes / ASSUMED_BYTES_PER_SECOND)),
    },
    checks,
  });
}

/** A follow-up request takes what to move from its predecessor; a follow-up of a follow-up continues the chain. */
function followUpRequest(request: PlanRequest): PlanRequest {
  const previous = request.after?.plan;
  if (!previous) return request;
  const { filter: _filter, destinationTopic: _destinationTopic, topicPattern: _topicPattern, ...rest } = request;
  return {
    ...rest,
    topics: previous.topics.map((t) => t.source),
    ...(previous.filter ? { filter: previous.filter } : {}),
    mapping: previous.mapping,
  };
}

/** Counts every non-empty range of the drafts at once: their start only (sample) or whole (exact). */
async function countDrafts(source: KafkaCluster, drafts: TopicDraft[], request: PlanRequest, onEvent: EventSink, sample: boolean): Promise<void> {
  const ranges = drafts.flatMap((d) =>
    d.partitions.filter((p) => p.upperBound > 0).map((p) => ({ topic: d.topic, partition: p.pin.partition, from: p.pin.start, end: p.pin.end, draft: p })),
  );
  const counted = await countRanges(source, ranges, request.filter ?? null, onEvent, { sample });
  for (const [i, range] of ranges.entries()) {
    const { seen, ...count } = counted[i]!.count;
    if (sample) range.draft.sample = { ...count, seen };
    else range.draft.exact = count;
  }
}

/**
 * The estimate without --exact comes from the start of each range: when it is 0 because none of
 * the records looked at there matched, the filter may hold a typo. The plan is still written (matches may lie further
 * on); copy and verify refuse a filter that matched nothing in the whole range.
 */
function warnOnEmptySample(filter: RecordFilterSpec, drafts: TopicDraft[], onEvent: EventSink): void {
  const sampled = sum(drafts, (p) => p.sample?.seen ?? 0);
  if (sampled === 0 || sum(drafts, (p) => p.sample?.records ?? 0) > 0) return;
  onEvent({
    type: 'warning',
    code: 'FILTER_MATCHED_NOTHING',
    message:
      `${filterFlag(filter)} matched none of the ${sampled.toLocaleString('en-US')} records sampled at the start of ${describePartitions(rangesOf(drafts))}` +
      ` (the estimate is 0 records): ${filterHint(filter)}, or plan with --exact to count the whole range`,
  });
}

function rangesOf(drafts: TopicDraft[]): TopicPartitions[] {
  return drafts.map((d) => ({ topic: d.topic, partitions: d.partitions.map((p) => p.pin.partition) }));
}

function sum(drafts: TopicDraft[], pick: (partition: PartitionDraft) => number): number {
  return drafts.reduce((total, d) => total + d.partitions.reduce((s, p) => s + pick(p), 0), 0);
}

function estimateOf(partition: PartitionDraft, exact: boolean): { records: number; bytes: number } {
  const { sample, upperBound } = partition;
  if (exact) return partition.exact ? { records: partition.exact.records, bytes: partition.exact.bytes } : { records: 0, bytes: 0 };
  if (!sample) return { records: 0, bytes: 0 };
  if (sample.seen === 0) return { records: upperBound, bytes: 0 };
  const share = sample.records / sample.seen;
  const records = Math.round(upperBound * share);
  return { records, bytes: sample.records === 0 ? 0 : Math.round((sample.bytes / sample.records) * records) };
}

/** Destination checks of every topic with what is known of the source so far: a first look, or the exact count. */
async function topicChecks(
  source: KafkaCluster,
  destination: KafkaCluster,
  drafts: TopicDraft[],
  mapping: PartitionMapping,
  request: PlanRequest,
): Promise<PlanCheck[]> {
  const checks: PlanCheck[] = [];
  for (const draft of drafts) {
    if (!draft.existing && !request.createTopics) {
      checks.push({
        level: 'error',
        code: 'DESTINATION_MISSING',
        topic: draft.destinationTopic,
        message: `destination topic ${draft.destinationTopic} does not exist on ${destination.label}`,
      });
      continue;
    }
    const exact = draft.partitions.some((p) => p.exact !== null);
    // Without an exact count, the newest planned timestamp is bounded by the source partition's newest.
    const newest = exact
      ? new Map<number, number>()
      : await sourceNewest(
          source,
          draft.topic,
          draft.partitions.map((p) => p.pin.partition),
        );
    const facts: SourceFacts = {
      topic: draft.topic,
      partitions: draft.partitions.map((p) => {
        const seen = p.exact ?? p.sample;
        return {
          partition: p.pin.partition,
          destinationPartition: mapping === 'same' ? p.pin.partition : null,
          minTimestamp: seen?.minTimestamp ? BigInt(seen.minTimestamp) : null,
          hasRecords: (seen?.records ?? 0) > 0 || (!exact && p.upperBound > 0 && p.sample?.seen === 0),
          ...estimateOf(p, exact),
          maxTimestamp: maxOf(seen?.maxTimestamp, exact ? undefined : newest.get(p.pin.partition)),
          keyless: p.exact ? (p.exact.keylessRecords ?? null) : p.sample?.keylessRecords ? p.sample.keylessRecords : null,
        };
      }),
      largestRecordBytes: exact ? Math.max(0, ...draft.partitions.map((p) => p.exact?.largestRecordBytes ?? 0)) : null,
      configs: draft.sourceConfigs.all,
    };
    const partitions = draft.existing?.partitions ?? draft.layout.partitions;
    const sizes = draft.existing ? await destination.partitionSizes(draft.destinationTopic, [...Array(partitions).keys()]) : new Map<number, number>();
    const destinationFacts: DestinationFacts = { topic: draft.destinationTopic, partitions, configs: draft.destinationConfigs, sizes };
    checks.push(
      ...checkDestination(facts, destinationFacts, mapping, {
        acceptLogAppendTime: request.acceptLogAppendTime === true,
        exact,
        bootstrap: describeBootstrap(request.destination),
        ...(request.acceptDestinationLoss ? { acceptDestinationLoss: true } : {}),
        ...(request.keepMarginMs !== undefined ? { keepMarginMs: request.keepMarginMs } : {}),
      }),
    );
    const predecessor = request.after?.plan.topics.find((t) => t.source === draft.topic);
    const chain = request.after ? predecessorRecord(request.after).chain.find((c) => c.source === draft.topic) : undefined;
    const excuse = predecessor && chain ? predecessorExcuse(source, destination, predecessor, chain, request.filter ?? null, mapping) : undefined;
    if (draft.existing) checks.push(...(await checkOverlap(destination, facts, destinationFacts, mapping, excuse)));
  }
  return checks;
}

/**
 * The schema ids of every topic's planned ranges (a sample, or all with --exact), checked on both
 * registries when given; with --schemas register, the ids missing on the destination's.
 */
async function schemaChecks(source: KafkaCluster, drafts: TopicDraft[], request: PlanRequest): Promise<{ checks: PlanCheck[]; missing: number[] }> {
  const checks: PlanCheck[] = [];
  const missing = new Set<number>();
  const planned = compileFilter(request.filter);
  for (const draft of drafts) {
    const ranges = draft.partitions.map((p) => ({ partition: p.pin.partition, start: p.pin.start, end: p.pin.end }));
    const findings = await schemaIdChecks(source, draft.topic, ranges, request.schemaRegistries, request.exact === true, planned);
    checks.push(...findings.checks);
    for (const id of findings.missing ?? []) missing.add(id);
    if (findings.idMap && Object.entries(findings.idMap).some(([from, to]) => Number(from) !== to)) draft.schemaIdMap = findings.idMap;
  }
  return { checks, missing: [...missing] };
}

/** The first and last committed record of every planned range, for purge to read back (see SourceAnchors). */
async function anchorRanges(source: KafkaCluster, topics: PlanTopic[]): Promise<void> {
  const work = topics.flatMap((t) => t.partitions.filter((p) => p.upperBound > 0).map((p) => ({ topic: t.source, partition: p })));
  const anchors = await readAllSourceAnchors(
    source,
    work.map(({ topic, partition }) => ({ topic, partition: partition.partition, start: BigInt(partition.start), end: BigInt(partition.end) })),
  );
  for (const t of topics) for (const p of t.partitions) if (p.upperBound === 0) p.anchors = null;
  work.forEach(({ partition }, index) => {
    partition.anchors = anchors[index]!;
  });
}

/** The ids of the destination topics the plan created, so copy, verify and purge pin them like existing ones. */
async function recordCreatedTopicIds(destination: KafkaCluster, created: PlanTopic[]): Promise<void> {
  if (created.length === 0) return;
  const layouts = await destination.topicLayouts(created.map((t) => t.destination));
  for (const topic of created) {
    const id = layouts.get(topic.destination)?.id;
    if (id) topic.destinationTopicId = id;
  }
}

async function highWatermarks(cluster: KafkaCluster, topic: string, partitions: number): Promise<string[]> {
  const listed = await cluster.listOffsets(topic, [...Array(partitions).keys()], { kind: 'latest' }, false);
  return Array.from({ length: partitions }, (_, p) => String(listed.find((l) => l.partition === p)?.offset ?? 0n));
}

function maxOf(a: string | null | undefined, b: number | undefined): bigint | null {
  const values = [a === null || a === undefined ? null : BigInt(a), b === undefined ? null : BigInt(b)].filter((v): v is bigint => v !== null);
  return values.length === 0 ? null : values.reduce((x, y) => (y > x ? y : x));
}

function emptyCount() {
  return { records: 0, bytes: 0, largestRecordBytes: 0, otherRecords: 0, minTimestamp: null, maxTimestamp: null };
}

function throwOnErrors(checks: PlanCheck[]): void {
  const errors = checks.filter((c) => c.level === 'error');
  const first = errors[0];
  if (!first) return;
  const more =
    errors.length > 1
      ? ` (and ${errors.length - 1} more: ${errors
          .slice(1)
          .map((e) => e.code)
          .join(', ')})`
      : '';
  const hints: Record<string, string> = {
    DESTINATION_MISSING: 'create it, or run plan with --create-topics',
    TOO_FEW_PARTITIONS: 'add partitions to the destination topic, or plan with --mapping key-hash',
    RECORD_TOO_LARGE: "raise the destination topic's max.message.bytes",
    SCHEMA_ID_CONFLICT: "register the source's schemas on the destination's registry under ids that are free there, or copy to a cluster whose registry agrees",
    SCHEMA_IMPORT_UNSUPPORTED: "plan with --schemas translate instead: it registers the schemas under the destination's own ids and the copy rewrites them",
    TIMESTAMPS_REWRITTEN:
      'set message.timestamp.type=CreateTime on the destination topic, or plan with --accept-log-append-time to copy anyway (verify then compares everything but the timestamp)',
  };
  // The destination-keep checks name their way out in their message.
  const hint =
    first.code in hints ? hints[first.code] : Object.values(KEEP_CHECK_CODES).includes(first.code) ? undefined : 'fix the destination and plan again';
  throw new KrerouteError(CHECK_ERROR_CODES[first.code] ?? 'DESTINATION_CHECK', `${first.message}${more}`, hint ? { hint } : {});
}

function withFixedCompression(configs: Map<string, string>): Pick<PlanTopic, 'destinationCompression'> {
  const codec = fixedCompression(configs);
  return codec ? { destinationCompression: codec } : {};
}
