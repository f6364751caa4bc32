import { KrerouteError } from '../common/errors.ts';
import { type EventSink, ignoreEvents } from '../common/events.ts';
import { type MetricsSink, countingRetries, noMetrics } from '../common/metrics-sink.ts';
import { expectations } from '../plan/expected.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { saveVerification } from './verification-file.ts';
import type { CopyCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import { verdictKey } from '../checkpoint/checkpoint-keys.ts';
import { DEFAULT_CHECKPOINT_TOPIC } from '../checkpoint/destination-store.ts';
import type { ShardRef } from '../shard/shard-layout.ts';
import { shardPlan } from '../shard/shard-plan.ts';
import { type JobState, readJobState, unfinishedParts } from '../shard/job-state.ts';
import { mergeShardCheckpoints } from '../shard/merge-checkpoints.ts';
import { publishVerdict } from './verdict-publish.ts';
import { withPlanClusters } from '../plan/plan-clusters.ts';
import type { Plan } from '../plan/plan.ts';
import { compileFilter } from '../plan/filter/record-filter.ts';
import { digestFieldsOf } from './record-digest.ts';
import { verifyKeyed } from './keyed/keyed-verify.ts';
import { verifySameMapping } from './same-mapping-verify.ts';
import type { PartitionVerdict, VerifyReport } from './report.ts';
import { ProgressMeter } from '../common/progress-meter.ts';
import { checkDestinationTopics } from '../plan/checks/destination-topics.ts';
import { refuseRecreatedTopics } from '../plan/checks/topic-identity.ts';
import { keepChoices, refuseDestinationLoss } from '../plan/checks/keep-check.ts';
import { explainTruncation } from '../plan/checks/source-truncation.ts';
import type { PlannedTimestamps } from './planned-span.ts';
import { refuseVerifyOfTruncatedSource } from './truncation-check.ts';
import { refuseUnmatchedFilter } from './unmatched-filter-check.ts';

export interface VerifyOptions {
  source: ClientSettings;
  destination: ClientSettings;
  stateDir: string;
  /** How many example differences to report per partition. */
  maxExamples?: number;
  /** Where copies keep their checkpoints on the destination (default kreroute-checkpoints). */
  checkpointTopic?: string;
  /** Verify only this shard of the plan (cut for verify: see shardUnits); the verdicts of all shards together let purge run. */
  shard?: ShardRef;
  onEvent?: EventSink;
  /** Verify although the destination's retention would delete copies (a warning; purge still refuses). */
  acceptDestinationLoss?: boolean;
  /** How long copies must stay on the destination beyond the job (default a day). */
  keepMarginMs?: number;
  /** Told how far the comparison got per source partition; default: nothing. */
  metrics?: MetricsSink;
}

/**
 * Reads the plan's source ranges and what the copy wrote on the destination (read_committed,
 * only records of our producer ids inside the copied offsets) and compares them per destination
 * partition; then searches the destination for planned records any producer wrote there more than
 * once (findDuplicates). The report is saved with the plan's hash: purge trusts nothing else.
 */
export async function verifyPlan(plan: Plan, options: VerifyOptions): Promise<VerifyReport> {
  const checkpointTopic = options.checkpointTopic ?? DEFAULT_CHECKPOINT_TOPIC;
  const scope = options.shard ? shardPlan(plan, options.shard, 'verify') : plan;
  options.metrics?.stage('verify');
  const report = await withPlanClusters(plan, options.source, options.destination, async (source, destination) => {
    await checkDestinationTopics(scope, destination, 'verify');
    await refuseRecreatedTopics(scope, { source, destination }, 'verify');
    await refuseDestinationLoss(scope, source, destination, 'verify', keepChoices(options, options.onEvent));
    const state = await readJobState(plan, destination, {
      stateDir: options.stateDir,
      ...(options.checkpointTopic ? { checkpointTopic: options.checkpointTopic } : {}),
      onWait: (message) => options.onEvent?.({ type: 'retry', message }),
    });
    const copied = copyCheckpointOf(plan, state);
    // A source that lost planned records can never pass: said first, whatever the copy's state.
    await refuseVerifyOfTruncatedSource(scope, source, copied);
    const checkpoint = finished(state, copied, options.stateDir);
    const verified = await verifyWith(scope, checkpoint, source, destination, options).catch(async (error: unknown) => {
      throw await explainTruncation(error, () => refuseVerifyOfTruncatedSource(scope, source, checkpoint));
    });
    refuseUnmatchedFilter(scope, verified);
    const report: VerifyReport = { ...verified, planHash: plan.hash, ...(options.shard ? { shard: options.shard } : {}) };
    await publishVerdict(destination, checkpointTopic, verdictKey(scope), report).catch((error: unknown) => {
      options.onEvent?.({
        type: 'warning',
        code: 'VERDICT_LOCAL_ONLY',
        message: `the verdict could not be kept on the destination (${error instanceof Error ? error.message : String(error)}); purge must run with this state folder`,
      });
    });
    return report;
  });
  await saveVerification(options.stateDir, report);
  return report;
}

/** The checkpoint of the plan's copy from every machine's work: the whole copy's, or its shards' merged (null: nothing copied). */
export function copyCheckpointOf(plan: Plan, state: JobState): CopyCheckpoint | null {
  const checkpoints = state.parts.flatMap((part) => (part.checkpoint ? [part.checkpoint] : []));
  if (checkpoints.length === 0) return null;
  return state.layout.kind === 'whole' ? checkpoints[0]! : mergeShardCheckpoints(plan, checkpoints);
}

/** Refuses with one line while nothing, or not everything, has been copied. */
function finished(state: JobState, checkpoint: CopyCheckpoint | null, stateDir: string): CopyCheckpoint {
  if (!checkpoint) {
    throw new KrerouteError('BAD_INPUT', `nothing to verify: no copy of this plan was found in ${stateDir} or on the destination`, {
      hint: 'run kreroute copy first (or give its --state-dir)',
    });
  }
  const unfinished = unfinishedParts(state);
  if (unfinished.length > 0) {
    throw new KrerouteError(
      'BAD_INPUT',
      `the copy of this plan has not finished: ${unfinished.slice(0, 4).join(', ')}${unfinished.length > 4 ? ` and ${unfinished.length - 4} more` : ''}`,
      {
        hint:
          state.layout.kind === 'sharded'
            ? `run the unfinished shards (kreroute copy <plan> --shard I/${state.layout.count}) to the end, then verify`
            : 'run the same kreroute copy command again to finish it, then verify',
      },
    );
  }
  return checkpoint;
}

async function verifyWith(
  plan: Plan,
  checkpoint: CopyCheckpoint,
  source: KafkaCluster,
  destination: KafkaCluster,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const metrics = options.metrics ?? noMetrics;
  const onEvent = countingRetries(options.onEvent ?? ignoreEvents, metrics);
  onEvent({ type: 'stage', stage: 'verify', message: 'comparing source ranges with the destination' });
  const expected = expectations(plan);
  for (const topic of plan.topics) for (const p of topic.partitions) metrics.planned('verify', topic.source, p.partition, expected(p), 0);
  const filter = compileFilter(plan.filter);
  const ours = new Set(checkpoint.producerIds.map(BigInt));
  const otherRecords: VerifyReport['otherRecords'] = [];
  const partitions: PartitionVerdict[] = [];
  const maxExamples = options.maxExamples ?? 10;
  const meter = new ProgressMeter('verify', plan.estimate.records, 0, metrics);
  const ticker = setInterval(() => onEvent(meter.event()), 1000);
  const onSearch = (message: string) => onEvent({ type: 'info', message });
  try {
    if (plan.mapping === 'same') {
      partitions.push(
        ...(await verifySameMapping(
          { plan, checkpoint, source, destination, filter, ours, maxExamples, meter, onSearch, onRetry: (message) => onEvent({ type: 'retry', message }) },
          otherRecords,
        )),
      );
    } else {
      for (const topic of plan.topics)
        partitions.push(...(await verifyKeyed(plan, topic, checkpoint, source, destination, ours, otherRecords, maxExamples, meter, onSearch)));
    }
  } finally {
    clearInterval(ticker);
  }
  onEvent(meter.event());
  for (const topic of plan.topics) for (const p of topic.partitions) metrics.finished('verify', topic.source, p.partition);
  const timestampsNotCompared = plan.topics.filter((t) => digestFieldsOf(t) === 'all-but-timestamp').map((t) => t.destination);
  return {
    planHash: plan.hash,
    passed: partitions.every((p) => p.passed),
    verifiedAt: new Date().toISOString(),
    partitions,
    otherRecords,
    timestampsNotCompared,
  };
}
