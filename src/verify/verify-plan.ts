import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KrerouteError } from '../errors.ts';
import { type EventSink, ignoreEvents } from '../events.ts';
import type { ClientSettings } from '../kafka/client-settings.ts';
import type { KafkaCluster } from '../kafka/cluster.ts';
import { readRange } from '../kafka/range-reader.ts';
import type { FetchedRecord } from '../kafka/record.ts';
import { writeFileAtomic } from '../checkpoint/atomic-file.ts';
import { type CopyCheckpoint, loadCheckpoint, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import { withPlanClusters } from '../plan/plan-clusters.ts';
import { DestinationCheckpointStore } from '../checkpoint/destination-store.ts';
import { destinationPartitionOf } from '../plan/partition-mapping.ts';
import type { Plan, PlanTopic } from '../plan/plan.ts';
import { type RecordFilter, compileFilter } from '../plan/record-filter.ts';
import { KeyedSummary, differingKeys } from './keyed-compare.ts';
import { compareSequences } from './sequence-compare.ts';

export interface VerifyOptions {
  source: ClientSettings;
  destination: ClientSettings;
  stateDir: string;
  /** How many example differences to report per partition. */
  maxExamples?: number;
  /** Where an exactly-once copy keeps its checkpoint on the destination (default kreroute-checkpoints). */
  checkpointTopic?: string;
  onEvent?: EventSink;
}

export interface RecordRef {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  timestamp: string;
}

export interface PartitionVerdict {
  sourceTopic: string;
  sourcePartitions: number[];
  destinationTopic: string;
  destinationPartition: number;
  sourceCount: number;
  destinationCount: number;
  sourceDigest: string;
  destinationDigest: string;
  /** Records on the destination inside the copied range that another producer wrote. */
  foreignRecords: number;
  passed: boolean;
  firstDivergence: number | null;
  missing: RecordRef[];
  extra: RecordRef[];
  altered: Array<{ source: RecordRef; destination: RecordRef }>;
  /** For mapping "key-hash": keys whose records differ. */
  differingKeys?: string[];
}

export interface VerifyReport {
  planHash: string;
  passed: boolean;
  verifiedAt: string;
  partitions: PartitionVerdict[];
  /** Per source topic/partition: committed records in range that the filter did not match. */
  otherRecords: Array<{ topic: string; partition: number; count: number }>;
}

const FETCH = { maxBytes: 8 * 1024 * 1024, maxWaitMs: 200, readCommitted: true };

export function verificationPath(stateDir: string): string {
  return join(stateDir, 'verification.json');
}

/**
 * Reads the plan's source ranges and what the copy wrote on the destination (read_committed,
 * only records of our producer ids inside the copied offsets) and compares them per destination
 * partition. The report is saved with the plan's hash: purge trusts nothing else.
 */
export async function verifyPlan(plan: Plan, options: VerifyOptions): Promise<VerifyReport> {
  const report = await withPlanClusters(plan, options.source, options.destination, async (source, destination) => {
    const checkpoint = await findCheckpoint(plan, destination, options);
    return verifyWith(plan, checkpoint, source, destination, options);
  });
  await writeFileAtomic(verificationPath(options.stateDir), `${JSON.stringify(report, null, 1)}\n`);
  return report;
}

/** The copy's checkpoint: the local one, else (exactly-once, another machine) the one on the destination. */
async function findCheckpoint(plan: Plan, destination: KafkaCluster, options: VerifyOptions): Promise<CopyCheckpoint> {
  let checkpoint = await loadCheckpoint(options.stateDir, plan.hash);
  if (!checkpoint) {
    const store = new DestinationCheckpointStore(destination, options.checkpointTopic);
    if ((await destination.topicLayouts([store.topic])).has(store.topic)) checkpoint = await store.load(plan.hash);
  }
  if (!checkpoint) {
    throw new KrerouteError('BAD_INPUT', `nothing to verify: no copy of this plan was found in ${options.stateDir} or on the destination`, { hint: 'run kreroute copy first (or give its --state-dir)' });
  }
  if (!checkpoint.complete) {
    throw new KrerouteError('BAD_INPUT', 'the copy of this plan has not finished', { hint: 'run the same kreroute copy command again to finish it, then verify' });
  }
  return checkpoint;
}

async function verifyWith(plan: Plan, checkpoint: CopyCheckpoint, source: KafkaCluster, destination: KafkaCluster, options: VerifyOptions): Promise<VerifyReport> {
  const onEvent = options.onEvent ?? ignoreEvents;
  onEvent({ type: 'stage', stage: 'verify', message: 'comparing source ranges with the destination' });
  const filter = compileFilter(plan.filter);
  const ours = new Set(checkpoint.producerIds.map(BigInt));
  const otherRecords: VerifyReport['otherRecords'] = [];
  const partitions: PartitionVerdict[] = [];
  const maxExamples = options.maxExamples ?? 10;
  for (const topic of plan.topics) {
    if (plan.mapping === 'same') {
      for (const planned of topic.partitions) {
        const other = { count: 0 };
        const foreign = { count: 0 };
        const d = planned.destinationPartition!;
        const window = destinationWindow(checkpoint, topic.destination, d);
        const result = await compareSequences(
          { topic: topic.source, partition: planned.partition, records: matching(source, topic.source, planned.partition, BigInt(planned.start), BigInt(planned.end), filter, other) },
          { topic: topic.destination, partition: d, records: ownRecords(destination, topic.destination, d, window, ours, foreign) },
          maxExamples,
        );
        otherRecords.push({ topic: topic.source, partition: planned.partition, count: other.count });
        partitions.push({ sourceTopic: topic.source, sourcePartitions: [planned.partition], destinationTopic: topic.destination, destinationPartition: d, foreignRecords: foreign.count, ...result });
      }
    } else {
      partitions.push(...(await verifyKeyed(plan, topic, checkpoint, source, destination, filter, ours, otherRecords, maxExamples)));
    }
  }
  return { planHash: plan.hash, passed: partitions.every((p) => p.passed), verifiedAt: new Date().toISOString(), partitions, otherRecords };
}

function destinationWindow(checkpoint: CopyCheckpoint, topic: string, partition: number): { from: bigint; to: bigint } {
  const state = checkpoint.destinations[partitionKey(topic, partition)];
  if (!state) return { from: 0n, to: 0n };
  return { from: BigInt(state.scanFrom), to: BigInt(state.end ?? state.scanFrom) };
}

async function* matching(cluster: KafkaCluster, topic: string, partition: number, start: bigint, end: bigint, filter: RecordFilter, other: { count: number }): AsyncGenerator<FetchedRecord> {
  for await (const chunk of readRange(cluster, topic, partition, start, end, FETCH)) {
    for (const record of chunk.records) {
      if (filter(record)) yield record;
      else other.count++;
    }
  }
}

async function* ownRecords(cluster: KafkaCluster, topic: string, partition: number, window: { from: bigint; to: bigint }, ours: Set<bigint>, foreign: { count: number }): AsyncGenerator<FetchedRecord> {
  for await (const chunk of readRange(cluster, topic, partition, window.from, window.to, FETCH)) {
    for (const record of chunk.records) {
      if (ours.has(record.producerId)) yield record;
      else foreign.count++;
    }
  }
}

async function verifyKeyed(
  plan: Plan,
  topic: PlanTopic,
  checkpoint: CopyCheckpoint,
  source: KafkaCluster,
  destination: KafkaCluster,
  filter: RecordFilter,
  ours: Set<bigint>,
  otherRecords: VerifyReport['otherRecords'],
  maxExamples: number,
): Promise<PartitionVerdict[]> {
  const expected = Array.from({ length: topic.destinationPartitions }, () => new KeyedSummary());
  for (const planned of topic.partitions) {
    const other = { count: 0 };
    for await (const record of matching(source, topic.source, planned.partition, BigInt(planned.start), BigInt(planned.end), filter, other)) {
      expected[destinationPartitionOf(plan.mapping, record.key, planned.partition, topic.destinationPartitions)]!.add(record);
    }
    otherRecords.push({ topic: topic.source, partition: planned.partition, count: other.count });
  }
  const verdicts: PartitionVerdict[] = [];
  for (let d = 0; d < topic.destinationPartitions; d++) {
    const actual = new KeyedSummary();
    const foreign = { count: 0 };
    for await (const record of ownRecords(destination, topic.destination, d, destinationWindow(checkpoint, topic.destination, d), ours, foreign)) actual.add(record);
    const want = expected[d]!.finish();
    const got = actual.finish();
    const keys = differingKeys(want.perKey, got.perKey, maxExamples);
    verdicts.push({
      sourceTopic: topic.source,
      sourcePartitions: topic.partitions.map((p) => p.partition),
      destinationTopic: topic.destination,
      destinationPartition: d,
      sourceCount: want.count,
      destinationCount: got.count,
      sourceDigest: want.digest,
      destinationDigest: got.digest,
      foreignRecords: foreign.count,
      passed: want.count === got.count && want.digest === got.digest && keys.length === 0,
      firstDivergence: null,
      missing: [],
      extra: [],
      altered: [],
      differingKeys: keys,
    });
  }
  return verdicts;
}

/** The saved verification of a plan, or null when there is none. */
export async function readVerification(stateDir: string): Promise<VerifyReport | null> {
  try {
    return JSON.parse(await readFile(verificationPath(stateDir), 'utf8')) as VerifyReport;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KrerouteError('CHECKPOINT_CORRUPT', `the verification record ${verificationPath(stateDir)} cannot be read`, { hint: 'run kreroute verify again' });
  }
}
