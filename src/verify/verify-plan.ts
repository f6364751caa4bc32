import { KrerouteError } from '../errors.ts';
import { type EventSink, ignoreEvents } from '../events.ts';
import type { ClientSettings } from '../kafka/client-settings.ts';
import type { KafkaCluster } from '../kafka/cluster.ts';
import { saveVerification } from './verification-file.ts';
import { type CopyCheckpoint, loadCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import { withPlanClusters } from '../plan/plan-clusters.ts';
import { DestinationCheckpointStore } from '../checkpoint/destination-store.ts';
import type { Plan } from '../plan/plan.ts';
import { compileFilter } from '../plan/record-filter.ts';
import { digestFieldsOf } from './record-digest.ts';
import { verifyKeyed } from './keyed-verify.ts';
import { verifySameMapping } from './same-mapping-verify.ts';
import { ProgressMeter } from '../copy/progress-meter.ts';
import { checkDestinationTopics } from '../plan/destination-topics.ts';
import { refuseTruncatedSource } from './truncation-check.ts';
import { explainTruncation } from '../plan/source-truncation.ts';

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
  /** Records on the destination since the plan was made that another producer wrote. */
  foreignRecords: number;
  passed: boolean;
  firstDivergence: number | null;
  missing: RecordRef[];
  extra: RecordRef[];
  altered: Array<{ source: RecordRef; destination: RecordRef }>;
  /** For mapping "key-hash": keys whose records differ. */
  differingKeys?: string[];
  /** The first and last of the copy's records verify read there: purge checks they are still there. */
  anchors: DestinationAnchors | null;
}

export interface RecordAnchor {
  offset: string;
  digest: string;
}

export interface DestinationAnchors {
  first: RecordAnchor;
  last: RecordAnchor;
}

export interface VerifyReport {
  planHash: string;
  passed: boolean;
  verifiedAt: string;
  partitions: PartitionVerdict[];
  /** Per source topic/partition: committed records in range that the filter did not match. */
  otherRecords: Array<{ topic: string; partition: number; count: number }>;
  /**
   * Destination topics whose timestamps were not compared: they stamp records with the append time
   * (LogAppendTime, accepted by the plan). Key, value, headers, order and counts were.
   */
  timestampsNotCompared: string[];
}

/**
 * Reads the plan's source ranges and what the copy wrote on the destination (read_committed,
 * only records of our producer ids inside the copied offsets) and compares them per destination
 * partition. The report is saved with the plan's hash: purge trusts nothing else.
 */
export async function verifyPlan(plan: Plan, options: VerifyOptions): Promise<VerifyReport> {
  const report = await withPlanClusters(plan, options.source, options.destination, async (source, destination) => {
    await checkDestinationTopics(plan, destination, 'verify');
    const checkpoint = await findCheckpoint(plan, destination, options);
    await refuseTruncatedSource(plan, source, checkpoint);
    if (!checkpoint) {
      throw new KrerouteError('BAD_INPUT', `nothing to verify: no copy of this plan was found in ${options.stateDir} or on the destination`, { hint: 'run kreroute copy first (or give its --state-dir)' });
    }
    if (!checkpoint.complete) {
      throw new KrerouteError('BAD_INPUT', 'the copy of this plan has not finished', { hint: 'run the same kreroute copy command again to finish it, then verify' });
    }
    return verifyWith(plan, checkpoint, source, destination, options).catch(async (error: unknown) => {
      throw await explainTruncation(error, () => refuseTruncatedSource(plan, source, checkpoint));
    });
  });
  await saveVerification(options.stateDir, report);
  return report;
}

/** The copy's checkpoint, finished or not (null: none): the local one, else (exactly-once, another machine) the one on the destination. */
async function findCheckpoint(plan: Plan, destination: KafkaCluster, options: VerifyOptions): Promise<CopyCheckpoint | null> {
  let checkpoint = await loadCheckpoint(options.stateDir, plan.hash);
  if (!checkpoint) {
    const store = new DestinationCheckpointStore(destination, options.checkpointTopic);
    if (await store.exists()) checkpoint = await store.load(plan, { onWait: (message) => options.onEvent?.({ type: 'retry', message }) });
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
  const meter = new ProgressMeter('verify', plan.estimate.records);
  const ticker = setInterval(() => onEvent(meter.event()), 1000);
  try {
    if (plan.mapping === 'same') {
      partitions.push(...(await verifySameMapping({ plan, checkpoint, source, destination, filter, ours, maxExamples, meter }, otherRecords)));
    } else {
      for (const topic of plan.topics) partitions.push(...(await verifyKeyed(plan, topic, checkpoint, source, destination, ours, otherRecords, maxExamples, meter)));
    }
  } finally {
    clearInterval(ticker);
  }
  onEvent(meter.event());
  const timestampsNotCompared = plan.topics.filter((t) => digestFieldsOf(t) === 'all-but-timestamp').map((t) => t.destination);
  return { planHash: plan.hash, passed: partitions.every((p) => p.passed), verifiedAt: new Date().toISOString(), partitions, otherRecords, timestampsNotCompared };
}

