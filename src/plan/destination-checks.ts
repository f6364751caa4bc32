import type { KafkaCluster } from '../kafka/cluster.ts';
import type { PartitionMapping, PlanCheck } from './plan.ts';

export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
const BATCH_OVERHEAD = 61;

export interface DestinationFacts {
  topic: string;
  partitions: number;
  configs: Map<string, string>;
}

export interface SourceFacts {
  topic: string;
  /** Source partitions in the plan and the destination partition each maps to (null: by key). */
  partitions: Array<{ partition: number; destinationPartition: number | null; minTimestamp: bigint | null; hasRecords: boolean }>;
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

/** Static checks of one destination topic against what will be copied into it. */
export function checkDestination(source: SourceFacts, destination: DestinationFacts, mapping: PartitionMapping, acceptLogAppendTime: boolean): PlanCheck[] {
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
        ? { level: 'info', code: 'TIMESTAMPS_REWRITTEN', topic, message: `destination ${topic} uses message.timestamp.type=LogAppendTime: copied records get the time of the copy (accepted); verify compares everything but the timestamp` }
        : { level: 'error', code: 'TIMESTAMPS_REWRITTEN', topic, message: `destination ${topic} uses message.timestamp.type=LogAppendTime: copied records would get the time of the copy, not their original timestamps` },
    );
  }
  const beforeMax = Number(destination.configs.get('message.timestamp.before.max.ms') ?? Number.MAX_SAFE_INTEGER);
  const oldest = source.partitions.reduce<bigint | null>((min, p) => (p.minTimestamp !== null && (min === null || p.minTimestamp < min) ? p.minTimestamp : min), null);
  if (oldest !== null && Number.isFinite(beforeMax) && BigInt(Date.now()) - oldest > BigInt(Math.floor(beforeMax))) {
    checks.push({
      level: 'error',
      code: 'TIMESTAMPS_REJECTED',
      topic,
      message: `destination ${topic} rejects records older than message.timestamp.before.max.ms=${beforeMax}; the oldest record to copy is from ${new Date(Number(oldest)).toISOString()}`,
    });
  }
  return checks;
}

/**
 * Records already on the destination that are newer than records about to be copied there. After
 * the copy, consumers reading "latest per key" (compaction, keyed state) would see old values win.
 */
export async function checkOverlap(cluster: KafkaCluster, source: SourceFacts, destination: DestinationFacts, mapping: PartitionMapping): Promise<PlanCheck[]> {
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
  for (const entry of newest) {
    const oldestToCopy = targets.get(entry.partition);
    if (oldestToCopy === undefined || entry.offset < 0n || entry.timestamp < 0n || entry.timestamp < oldestToCopy) continue;
    checks.push({
      level: 'warning',
      code: 'OVERLAP',
      topic: destination.topic,
      partition: entry.partition,
      message: `destination ${destination.topic}[${entry.partition}] already holds records up to ${new Date(Number(entry.timestamp)).toISOString()}, newer than records to copy (from ${new Date(Number(oldestToCopy)).toISOString()})${compacted ? '; the topic is compacted, so copied records would replace newer values of the same keys' : '; consumers of latest-per-key state would see older values win'}`,
    });
  }
  return checks;
}
