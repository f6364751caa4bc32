import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { ACCEPT_LOSS_WAY, DEFAULT_KEEP_MARGIN_MS, destinationKeepProblems } from './destination-keep.ts';
import { type PlannedRange, keepFactsOf } from './keep-facts.ts';
import { newestRecord } from './newest-data-record.ts';
import type { PartitionMapping, PlanCheck } from '../plan.ts';

export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
const BATCH_OVERHEAD = 61;

export interface DestinationFacts {
  topic: string;
  partitions: number;
  configs: Map<string, string>;
  /** Bytes on each destination partition now (DescribeLogDirs); null when not known. */
  sizes?: Map<number, number> | null;
}

export interface SourceFacts {
  topic: string;
  /**
   * Source partitions in the plan and the destination partition each maps to (null: by key), with
   * what is known of their records (exact, or the estimate and the first stretch's timestamps).
   */
  partitions: Array<{
    partition: number;
    destinationPartition: number | null;
    minTimestamp: bigint | null;
    hasRecords: boolean;
    records?: number;
    bytes?: number;
    maxTimestamp?: bigint | null;
    keyless?: number | null;
  }>;
  largestRecordBytes: number | null;
  configs: Map<string, string>;
}

export function maxMessageBytes(configs: Map<string, string>): number {
  const value = Number(configs.get('max.message.bytes'));
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_MESSAGE_BYTES;
}

/** The broker replaces every record's timestamp with the time it appends it. */
export function stampsAppendTime(configs: Map<string, string>): boolean {
  return configs.get('message.timestamp.type') === 'LogAppendTime';
}

/**
 * The codec the destination topic fixes (compression.type other than `producer`): the broker
 * recompresses every batch into it, so the copy builds its batches in it; `uncompressed` is 'none'.
 * Undefined: the broker keeps each batch's own codec.
 */
export function fixedCompression(configs: Map<string, string>): 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' | undefined {
  const type = configs.get('compression.type');
  if (type === 'uncompressed') return 'none';
  return type === 'gzip' || type === 'snappy' || type === 'lz4' || type === 'zstd' ? type : undefined;
}

export interface CheckChoices {
  acceptLogAppendTime: boolean;
  /** Accept that the destination deletes copies (retention): a warning instead of an error. */
  acceptDestinationLoss?: boolean;
  /** How long copies must outlive now (see DEFAULT_KEEP_MARGIN_MS); the job's estimated time is added. */
  keepMarginMs?: number;
  /** Whether the records counts are exact (plan --exact). */
  exact?: boolean;
  /** The destination's bootstrap address, named in the way out. */
  bootstrap?: string;
}

/** Static checks of one destination topic against what will be copied into it. */
export function checkDestination(source: SourceFacts, destination: DestinationFacts, mapping: PartitionMapping, choices: CheckChoices): PlanCheck[] {
  const acceptLogAppendTime = choices.acceptLogAppendTime;
  const checks: PlanCheck[] = [];
  const topic = destination.topic;
  if (mapping === 'same') {
    const needed = Math.max(...source.partitions.map((p) => p.partition)) + 1;
    if (destination.partitions < needed) {
      checks.push({
        level: 'error',
        code: 'TOO_FEW_PARTITIONS',
        topic,
        message: `destination ${topic} has ${destination.partitions} partitions, the plan needs ${needed} (mapping "same")`,
      });
    }
  }
  const destinationMax = maxMessageBytes(destination.configs);
  if (source.largestRecordBytes !== null) {
    if (source.largestRecordBytes + BATCH_OVERHEAD > destinationMax) {
      checks.push({
        level: 'error',
        code: 'RECORD_TOO_LARGE',
        topic,
        message: `the largest record to copy takes ${source.largestRecordBytes + BATCH_OVERHEAD} bytes in a batch, destination ${topic} accepts ${destinationMax} (max.message.bytes)`,
      });
    }
  } else if (maxMessageBytes(source.configs) > destinationMax) {
    checks.push({
      level: 'warning',
      code: 'MAX_MESSAGE_BYTES',
      topic,
      message: `destination ${topic} accepts batches up to ${destinationMax} bytes, the source up to ${maxMessageBytes(source.configs)}: a large record may be refused (plan --exact measures the largest)`,
    });
  }
  if (stampsAppendTime(destination.configs)) {
    checks.push(
      acceptLogAppendTime
        ? {
            level: 'info',
            code: 'TIMESTAMPS_REWRITTEN',
            topic,
            message: `destination ${topic} uses message.timestamp.type=LogAppendTime: copied records get the time of the copy (accepted); verify compares everything but the timestamp`,
          }
        : {
            level: 'error',
            code: 'TIMESTAMPS_REWRITTEN',
            topic,
            message: `destination ${topic} uses message.timestamp.type=LogAppendTime: copied records would get the time of the copy, not their original timestamps`,
          },
    );
  }
  checks.push(...keepChecks(source, destination, mapping, choices));
  return checks;
}

/** The destination-keep rule (see destination-keep.ts) as plan checks: errors, or warnings for an accepted loss. */
function keepChecks(source: SourceFacts, destination: DestinationFacts, mapping: PartitionMapping, choices: CheckChoices): PlanCheck[] {
  const ranges: PlannedRange[] = source.partitions.map((p) => ({
    destinationPartition: mapping === 'same' ? (p.destinationPartition ?? p.partition) : null,
    records: p.records ?? (p.hasRecords ? 1 : 0),
    bytes: p.bytes ?? 0,
    oldest: p.minTimestamp === null ? null : Number(p.minTimestamp),
    newest: p.maxTimestamp === undefined || p.maxTimestamp === null ? null : Number(p.maxTimestamp),
    keyless: p.keyless ?? null,
  }));
  const facts = keepFactsOf(
    destination.topic,
    destination.configs,
    ranges,
    destination.partitions,
    destination.sizes ?? null,
    choices.exact === true,
    choices.bootstrap,
  );
  const bytes = ranges.reduce((sum, r) => sum + r.bytes, 0);
  // The copy and the verify are still ahead (at the plan's assumed speed), then the margin.
  const marginMs = (choices.keepMarginMs ?? DEFAULT_KEEP_MARGIN_MS) + 2 * Math.ceil(bytes / ASSUMED_BYTES_PER_SECOND) * 1000;
  return destinationKeepProblems(facts, { now: Date.now(), marginMs }).map((problem): PlanCheck => {
    if (problem.kind === 'displaces') return { level: 'warning', code: 'DESTINATION_DISPLACED', topic: problem.topic, message: problem.message };
    const accepted = problem.kind === 'drops' && choices.acceptDestinationLoss === true;
    return {
      level: accepted ? 'warning' : 'error',
      code: KEEP_CHECK_CODES[problem.setting] ?? 'DESTINATION_LOSS',
      topic: problem.topic,
      message: accepted
        ? `${problem.message} (accepted: --accept-destination-loss; purge will refuse)`
        : `${problem.message}${problem.kind === 'drops' ? ACCEPT_LOSS_WAY : ''}`,
    };
  });
}

/** Plan check codes of the keep rule's settings: the error code of each is DESTINATION_LOSS for retention, else DESTINATION_CHECK. */
export const KEEP_CHECK_CODES: Record<string, string> = {
  'retention.ms': 'DESTINATION_LOSS',
  'retention.bytes': 'DESTINATION_LOSS',
  'cleanup.policy': 'KEYLESS_REJECTED',
  'message.timestamp.before.max.ms': 'TIMESTAMPS_REJECTED',
  'message.timestamp.after.max.ms': 'TIMESTAMPS_REJECTED',
};

/** The plan's assumed copy speed (see create-plan.ts), for the time the job still needs. */
const ASSUMED_BYTES_PER_SECOND = 50 * 1024 * 1024;

/** Whether the destination's newest record on a partition, newer than the oldest to copy, is expected there (a follow-up plan's predecessor). */
export type OverlapExcuse = (destinationPartition: number, newest: { offset: bigint; timestamp: bigint }, oldestToCopy: bigint) => Promise<boolean>;

/**
 * Records already on the destination that are newer than records about to be copied there. After
 * the copy, consumers reading "latest per key" (compaction, keyed state) would see old values win.
 */
export async function checkOverlap(
  cluster: KafkaCluster,
  source: SourceFacts,
  destination: DestinationFacts,
  mapping: PartitionMapping,
  excuse?: OverlapExcuse,
): Promise<PlanCheck[]> {
  const targets = new Map<number, bigint>();
  for (const p of source.partitions) {
    if (!p.hasRecords || p.minTimestamp === null) continue;
    const receivers = p.destinationPartition === null || mapping === 'key-hash' ? [...Array(destination.partitions).keys()] : [p.destinationPartition];
    for (const d of receivers.filter((r) => r < destination.partitions)) {
      const current = targets.get(d);
      if (current === undefined || p.minTimestamp < current) targets.set(d, p.minTimestamp);
    }
  }
  if (targets.size === 0) return [];
  const newest = await cluster.listOffsets(destination.topic, [...targets.keys()], { kind: 'max-timestamp' }, false);
  const compacted = (destination.configs.get('cleanup.policy') ?? '').includes('compact');
  const checks: PlanCheck[] = [];
  for (const listed of newest) {
    const oldestToCopy = targets.get(listed.partition);
    if (oldestToCopy === undefined || listed.offset < 0n || listed.timestamp < 0n || listed.timestamp < oldestToCopy) continue;
    const where = `destination ${destination.topic}[${listed.partition}]`;
    const found = await newestRecord(cluster, destination.topic, listed.partition, listed, oldestToCopy);
    if (found.kind === 'markers') {
      checks.push({
        level: 'info',
        code: 'NEWEST_IS_MARKER',
        topic: destination.topic,
        partition: listed.partition,
        message: `${where}: its newest timestamp (${iso(listed.timestamp)}) is a transaction marker's (or an aborted record's); no committed record from ${iso(oldestToCopy)} on (read ${found.read} offsets from ${found.from}): no overlap`,
      });
      continue;
    }
    const entry = found.kind === 'data' ? found : listed;
    if (excuse && (await excuse(listed.partition, entry, oldestToCopy))) continue;
    checks.push({
      level: 'warning',
      code: 'OVERLAP',
      topic: destination.topic,
      partition: listed.partition,
      message:
        found.kind === 'data'
          ? `${where} already holds records up to ${iso(entry.timestamp)}, newer than records to copy (from ${iso(oldestToCopy)})${compacted ? COMPACTED : LATEST_PER_KEY}`
          : `${where}: its newest timestamp (${iso(listed.timestamp)}) is a transaction marker's (or an aborted record's), and ${found.read} offsets from ${found.from} hold no newer committed record, but the rest was not read: records newer than records to copy (from ${iso(oldestToCopy)}) may follow${compacted ? COMPACTED : LATEST_PER_KEY}`,
    });
  }
  return checks;
}

const iso = (ms: bigint) => new Date(Number(ms)).toISOString();
const COMPACTED = '; the topic is compacted, so copied records would replace newer values of the same keys';
const LATEST_PER_KEY = '; consumers of latest-per-key state would see older values win';
