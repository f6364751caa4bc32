import { KrerouteError } from '../errors.ts';
import { type EventSink, ignoreEvents } from '../events.ts';
import { type ClientSettings, describeBootstrap } from '../kafka/client-settings.ts';
import { KafkaCluster } from '../kafka/cluster.ts';
import { type DestinationFacts, type SourceFacts, checkDestination, checkOverlap, maxMessageBytes, stampsAppendTime } from './destination-checks.ts';
import type { RecordFilterSpec } from './filter-spec.ts';
import { sealPlan } from './plan-file.ts';
import type { PartitionMapping, Plan, PlanCheck, PlanPartition, PlanTopic, RangePoint } from './plan.ts';
import { describePoint, pinRange } from './pin-range.ts';
import { compileFilter } from './record-filter.ts';
import { resolveTopics } from './resolve-topics.ts';
import { scanRange } from './scan-range.ts';

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
  onEvent?: EventSink;
}

/** Assumed copy speed for the time estimate; the benchmark in bench/ measures the real one. */
const ASSUMED_BYTES_PER_SECOND = 50 * 1024 * 1024;
const SAMPLE_BYTES = 256 * 1024;

const CHECK_ERROR_CODES: Record<string, 'DESTINATION_CHECK' | 'RECORD_TOO_LARGE'> = { RECORD_TOO_LARGE: 'RECORD_TOO_LARGE' };

export async function createPlan(request: PlanRequest): Promise<Plan> {
  const source = new KafkaCluster(request.source, 'source');
  const destination = new KafkaCluster(request.destination, 'destination');
  try {
    return await planWith(source, destination, request);
  } finally {
    await Promise.all([source.close(), destination.close()]);
  }
}

async function planWith(source: KafkaCluster, destination: KafkaCluster, request: PlanRequest): Promise<Plan> {
  const onEvent = request.onEvent ?? ignoreEvents;
  const mapping = request.mapping ?? 'same';
  const filter = compileFilter(request.filter);
  onEvent({ type: 'stage', stage: 'plan', message: `planning on source ${describeBootstrap(request.source)}` });
  const [sourceId, destinationId] = await Promise.all([source.clusterId(), destination.clusterId()]);
  const topics = await resolveTopics(source, request.topics, request.topicPattern);
  if (request.destinationTopic !== undefined && topics.length !== 1) {
    throw new KrerouteError('BAD_INPUT', `--dest-topic needs exactly one source topic, the plan has ${topics.length}`);
  }
  const layouts = await source.topicLayouts(topics);
  const destinationNames = topics.map((t) => request.destinationTopic ?? t);
  if (sourceId === destinationId && topics.some((t, i) => t === destinationNames[i])) {
    throw new KrerouteError('BAD_INPUT', 'source and destination are the same topic on the same cluster', {
      hint: 'point --destination at the other cluster, or give --dest-topic',
    });
  }
  const destinationLayouts = await destination.topicLayouts(destinationNames);
  // What needs no scan is checked before the scan, which can take minutes with --exact.
  throwOnErrors(await quickDestinationChecks(destination, topics, layouts, destinationNames, destinationLayouts, mapping, request));
  const checks: PlanCheck[] = [];
  const planTopics: PlanTopic[] = [];
  const toCreate: Array<{ name: string; partitions: number; configs: Map<string, string> }> = [];
  const estimates: Array<{ records: number; bytes: number }> = [];
  const onRecords = scanProgress(onEvent);

  for (const [index, topic] of topics.entries()) {
    const layout = layouts.get(topic)!;
    const destinationTopic = destinationNames[index]!;
    const partitionNumbers = [...Array(layout.partitions).keys()];
    const pinned = await pinRange(source, topic, partitionNumbers, request.from, request.to);
    const sourceConfigs = await source.topicConfigs(topic);
    const existing = destinationLayouts.get(destinationTopic);
    const destinationPartitions = existing?.partitions ?? layout.partitions;
    const partitions: PlanPartition[] = [];
    const facts: SourceFacts = { topic, partitions: [], largestRecordBytes: request.exact ? 0 : null, configs: sourceConfigs.all };
    for (const pin of pinned) {
      if (request.from.kind === 'offset' && request.from.offset < pin.logStart) {
        checks.push({ level: 'warning', code: 'START_BEFORE_LOG', topic, partition: pin.partition, message: `${topic}[${pin.partition}] starts at ${pin.logStart}; offsets before it no longer exist` });
      }
      const upperBound = Number(pin.end - pin.start);
      const scan =
        upperBound === 0
          ? null
          : await scanRange(source, topic, pin.partition, pin.start, pin.end, filter, request.exact ? { onRecords } : { sampleBytes: SAMPLE_BYTES });
      const destinationPartition = mapping === 'same' ? pin.partition : null;
      if (request.exact && scan) facts.largestRecordBytes = Math.max(facts.largestRecordBytes ?? 0, scan.largestRecordBytes);
      facts.partitions.push({
        partition: pin.partition,
        destinationPartition,
        minTimestamp: scan?.minTimestamp ? BigInt(scan.minTimestamp) : null,
        hasRecords: (scan?.records ?? 0) > 0 || (!request.exact && upperBound > 0 && scan?.seen === 0),
      });
      partitions.push({
        partition: pin.partition,
        start: String(pin.start),
        end: String(pin.end),
        destinationPartition,
        upperBound,
        exact: request.exact && scan ? { records: scan.records, bytes: scan.bytes, largestRecordBytes: scan.largestRecordBytes, otherRecords: scan.otherRecords, minTimestamp: scan.minTimestamp, maxTimestamp: scan.maxTimestamp } : request.exact ? emptyCount() : null,
      });
      estimates.push(estimateOf(upperBound, scan, request.exact === true));
    }
    const destinationFacts: DestinationFacts = existing
      ? { topic: destinationTopic, partitions: existing.partitions, configs: (await destination.topicConfigs(destinationTopic)).all }
      : { topic: destinationTopic, partitions: layout.partitions, configs: sourceConfigs.all };
    if (!existing && !request.createTopics) {
      checks.push({ level: 'error', code: 'DESTINATION_MISSING', topic: destinationTopic, message: `destination topic ${destinationTopic} does not exist on ${destination.label}` });
    } else {
      checks.push(...checkDestination(facts, destinationFacts, mapping, request.acceptLogAppendTime === true));
      if (existing) checks.push(...(await checkOverlap(destination, facts, destinationFacts, mapping)));
      else toCreate.push({ name: destinationTopic, partitions: layout.partitions, configs: sourceConfigs.overrides });
    }
    planTopics.push({
      source: topic,
      destination: destinationTopic,
      sourcePartitions: layout.partitions,
      destinationPartitions,
      destinationMaxMessageBytes: maxMessageBytes(destinationFacts.configs),
      destinationStarts: existing ? await highWatermarks(destination, destinationTopic, destinationPartitions) : Array.from({ length: destinationPartitions }, () => '0'),
      ...(stampsAppendTime(destinationFacts.configs) ? { destinationTimestamps: 'log-append-time' as const } : {}),
      partitions,
    });
  }
  throwOnErrors(checks);
  const total = estimates.reduce((sum, e) => ({ records: sum.records + e.records, bytes: sum.bytes + e.bytes }), { records: 0, bytes: 0 });
  if (planTopics.every((t) => t.partitions.every((p) => p.upperBound === 0)) || (request.exact && total.records === 0)) {
    throw new KrerouteError('EMPTY_RANGE', `nothing to copy: the range ${describePoint(request.from)} → ${describePoint(request.to)} holds no ${request.filter ? 'matching ' : ''}records`, {
      hint: 'widen --from/--to, or check the topic names and the filter',
    });
  }
  for (const topic of toCreate) {
    onEvent({ type: 'info', message: `creating ${topic.name} on the destination with ${topic.partitions} partitions` });
    await destination.createTopic(topic.name, topic.partitions, topic.configs);
    checks.push({ level: 'info', code: 'TOPIC_CREATED', topic: topic.name, message: `created destination topic ${topic.name} with ${topic.partitions} partitions and the source's topic configs` });
  }
  return sealPlan({
    format: 'kreroute-plan',
    version: 1,
    createdAt: new Date().toISOString(),
    source: { clusterId: sourceId, bootstrap: describeBootstrap(request.source) },
    destination: { clusterId: destinationId, bootstrap: describeBootstrap(request.destination) },
    range: { from: describePoint(request.from), to: describePoint(request.to) },
    filter: request.filter ?? null,
    mapping,
    topics: planTopics,
    estimate: { records: total.records, exact: request.exact === true, bytes: total.bytes, seconds: Math.max(1, Math.ceil(total.bytes / ASSUMED_BYTES_PER_SECOND)) },
    checks,
  });
}

function estimateOf(upperBound: number, scan: Awaited<ReturnType<typeof scanRange>> | null, exact: boolean): { records: number; bytes: number } {
  if (!scan) return { records: 0, bytes: 0 };
  if (exact) return { records: scan.records, bytes: scan.bytes };
  if (scan.seen === 0) return { records: upperBound, bytes: 0 };
  const share = scan.records / scan.seen;
  const records = Math.round(upperBound * share);
  return { records, bytes: scan.records === 0 ? 0 : Math.round((scan.bytes / scan.records) * records) };
}

async function highWatermarks(cluster: KafkaCluster, topic: string, partitions: number): Promise<string[]> {
  const listed = await cluster.listOffsets(topic, [...Array(partitions).keys()], { kind: 'latest' }, false);
  return Array.from({ length: partitions }, (_, p) => String(listed.find((l) => l.partition === p)?.offset ?? 0n));
}

function emptyCount() {
  return { records: 0, bytes: 0, largestRecordBytes: 0, otherRecords: 0, minTimestamp: null, maxTimestamp: null };
}

function scanProgress(onEvent: EventSink): (records: number, bytes: number) => void {
  let seen = 0;
  let seenBytes = 0;
  return (records, bytes) => {
    seen += records;
    seenBytes += bytes;
    onEvent({ type: 'progress', stage: 'plan', records: seen, bytes: seenBytes, totalRecords: 0, ratePerSec: 0, bytesPerSec: 0, etaSeconds: null });
  };
}

/** The destination checks that need no scan of the source: topic missing, too few partitions, timestamps rewritten. */
async function quickDestinationChecks(
  destination: KafkaCluster,
  topics: string[],
  layouts: Map<string, { partitions: number }>,
  destinationNames: string[],
  destinationLayouts: Map<string, { partitions: number }>,
  mapping: PartitionMapping,
  request: PlanRequest,
): Promise<PlanCheck[]> {
  const checks: PlanCheck[] = [];
  for (const [index, topic] of topics.entries()) {
    const name = destinationNames[index]!;
    const existing = destinationLayouts.get(name);
    if (!existing) {
      if (!request.createTopics) checks.push({ level: 'error', code: 'DESTINATION_MISSING', topic: name, message: `destination topic ${name} does not exist on ${destination.label}` });
      continue;
    }
    const source: SourceFacts = {
      topic,
      partitions: [...Array(layouts.get(topic)!.partitions).keys()].map((partition) => ({ partition, destinationPartition: mapping === 'same' ? partition : null, minTimestamp: null, hasRecords: false })),
      largestRecordBytes: null,
      configs: new Map(),
    };
    const facts: DestinationFacts = { topic: name, partitions: existing.partitions, configs: (await destination.topicConfigs(name)).all };
    checks.push(...checkDestination(source, facts, mapping, request.acceptLogAppendTime === true).filter((c) => c.level === 'error'));
  }
  return checks;
}

function throwOnErrors(checks: PlanCheck[]): void {
  const errors = checks.filter((c) => c.level === 'error');
  const first = errors[0];
  if (!first) return;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more: ${errors.slice(1).map((e) => e.code).join(', ')})` : '';
  const hints: Record<string, string> = {
    DESTINATION_MISSING: 'create it, or run plan with --create-topics',
    TOO_FEW_PARTITIONS: 'add partitions to the destination topic, or plan with --mapping key-hash',
    RECORD_TOO_LARGE: "raise the destination topic's max.message.bytes",
    TIMESTAMPS_REJECTED: "raise the destination topic's message.timestamp.before.max.ms",
    TIMESTAMPS_REWRITTEN: 'set message.timestamp.type=CreateTime on the destination topic, or plan with --accept-log-append-time to copy anyway (verify then compares everything but the timestamp)',
  };
  throw new KrerouteError(CHECK_ERROR_CODES[first.code] ?? 'DESTINATION_CHECK', `${first.message}${more}`, { hint: hints[first.code] ?? 'fix the destination and plan again' });
}
