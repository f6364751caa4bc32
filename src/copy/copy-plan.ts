import { KrerouteError, isKrerouteError } from '../common/errors.ts';
import { type EventSink, ignoreEvents, retryEvent } from '../common/events.ts';
import { type MetricsSink, countingRetries, noMetrics } from '../common/metrics-sink.ts';
import { expectations } from '../plan/expected.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { TRANSACTION_TIMEOUT_MS } from '../kafka/produce/transaction-timing.ts';
import { type CheckpointView, type CopyCheckpoint, loadCheckpoint, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import type { CheckpointLedger } from '../checkpoint/ledger.ts';
import { DEFAULT_CHECKPOINT_TOPIC, DestinationCheckpointStore } from '../checkpoint/destination-store.ts';
import { withPlanClusters } from '../plan/plan-clusters.ts';
import type { Plan } from '../plan/plan.ts';
import { type RecordFilter, compileFilter } from '../plan/filter/record-filter.ts';
import { startAtLeastOnce } from './at-least-once.ts';
import { startExactlyOnce } from './exactly-once.ts';
import type { Codec } from '../kafka/wire/batch/batch-compression.ts';
import { runCopyEngine } from './copy-engine.ts';
import { type CopyStats, emptyCopyStats } from './copy-stats.ts';
import type { TransactionBoundary } from './delivery.ts';
import { explainTruncation } from '../plan/checks/source-truncation.ts';
import { checkDestinationTimestamps, checkDestinationTopics } from '../plan/checks/destination-topics.ts';
import { refuseRecreatedTopics } from '../plan/checks/topic-identity.ts';
import { keepChoices, refuseDestinationLoss } from '../plan/checks/keep-check.ts';
import { ProgressMeter } from '../common/progress-meter.ts';
import { refuseCopyOfTruncatedSource } from './truncation-check.ts';
import { RateLimiter } from './rate-limiter.ts';
import { refuseUnmatchedFilter } from './unmatched-filter-check.ts';
import type { ShardRef } from '../shard/shard-layout.ts';
import { shardPlan } from '../shard/shard-plan.ts';
import { shardStateDir } from '../shard/shard-state-dir.ts';

export interface CopyOptions {
  source: ClientSettings;
  destination: ClientSettings;
  /** Folder for the checkpoint and results of this plan (created when missing). */
  stateDir: string;
  /** Records per second at most; undefined = as fast as the brokers allow. */
  maxRatePerSec?: number;
  /** Copy although the plan found newer records in the destination. */
  acceptOverlap?: boolean;
  /** Forward record batches as fetched where possible (default true); false decodes and re-encodes every record. */
  passthrough?: boolean;
  /** Bytes fetched but not yet acknowledged by the destination, at most (default 32 MiB). */
  memoryBudgetBytes?: number;
  /**
   * The codec of every batch kreroute builds (filtered, joined, re-encoded); default: that of the
   * source batches the records came from. A destination topic whose compression.type names a codec
   * wins (the broker would recompress anything else). Batches forwarded as fetched keep theirs.
   */
  compression?: Codec;
  /**
   * exactly-once: transactional writes with the checkpoint in the destination; at-least-once: an
   * idempotent producer and a local checkpoint; auto (default): exactly-once where the destination
   * allows transactions.
   */
  mode?: 'auto' | 'exactly-once' | 'at-least-once';
  /** Compacted destination topic for exactly-once checkpoints (default kreroute-checkpoints). */
  checkpointTopic?: string;
  /** How often a copy commits (exactly-once) or saves its checkpoint (at-least-once), in ms (default 1000). */
  commitIntervalMs?: number;
  /** Copy although the destination's retention would delete copies (a warning instead of a refusal; purge still refuses). */
  acceptDestinationLoss?: boolean;
  /** How long copies must stay on the destination beyond the job (default a day, DEFAULT_KEEP_MARGIN_MS). */
  keepMarginMs?: number;
  /**
   * Exactly-once: the transaction timeout wanted, in ms (default 60 s); the destination's
   * transaction.max.timeout.ms caps it. A transaction commits within a third of it whatever it holds.
   */
  transactionTimeoutMs?: number;
  /** Copy only this shard of the plan (see shardPlan); its local state goes in a subfolder of stateDir. */
  shard?: ShardRef;
  onEvent?: EventSink;
  /** Told what the copy measures (progress per partition, waits, retries, commits); default: nothing. */
  metrics?: MetricsSink;
  signal?: AbortSignal;
}

export interface CopySummary {
  records: number;
  bytes: number;
  seconds: number;
  /** Records found already written by an interrupted run and not written again. */
  reconciled: number;
  resumed: boolean;
  alreadyComplete: boolean;
  mode: 'auto' | 'exactly-once' | 'at-least-once';
  /** How the written batches were made (forwarded as fetched, filtered, joined, re-encoded) and compressed. */
  stats: CopyStats;
}

export async function copyPlan(whole: Plan, options: CopyOptions): Promise<CopySummary> {
  const plan = options.shard ? shardPlan(whole, options.shard) : whole;
  if (options.shard) options = { ...options, stateDir: shardStateDir(options.stateDir, options.shard) };
  const overlaps = plan.checks.filter((c) => c.code === 'OVERLAP');
  if (overlaps.length > 0 && !options.acceptOverlap) {
    throw new KrerouteError('OVERLAP', `the plan found newer records on the destination (${overlaps.length} partition(s), e.g. ${overlaps[0]!.message})`, {
      hint: 'copying would let older records win for latest-per-key readers; pass --accept-overlap to copy anyway',
    });
  }
  return withPlanClusters(plan, options.source, options.destination, (source, destination) => runCopy(plan, options, source, destination));
}

async function runCopy(plan: Plan, options: CopyOptions, source: KafkaCluster, destination: KafkaCluster): Promise<CopySummary> {
  const metrics = options.metrics ?? noMetrics;
  const onEvent = countingRetries(options.onEvent ?? ignoreEvents, metrics);
  const started = performance.now();
  metrics.stage('copy');
  await checkDestinationTopics(plan, destination, 'copy');
  await checkDestinationTimestamps(plan, destination);
  await refuseRecreatedTopics(plan, { source, destination }, 'copy');
  await refuseDestinationLoss(plan, source, destination, 'copy', keepChoices(options, onEvent));
  const filter = compileFilter(plan.filter);
  const delivery = await startDelivery(plan, options, source, destination, filter, onEvent, metrics);
  if (delivery === 'complete') {
    const done = await loadCheckpoint(options.stateDir, plan.hash).catch(() => null);
    if (done) refuseUnmatchedFilter(plan, done);
    onEvent({ type: 'info', message: 'this plan was already copied completely; nothing to do' });
    return {
      records: 0,
      bytes: 0,
      seconds: 0,
      reconciled: 0,
      resumed: true,
      alreadyComplete: true,
      mode: options.mode ?? 'auto',
      stats: emptyCopyStats(),
    };
  }
  const { ledger } = delivery;
  const checkpoint = ledger.view;
  onEvent({ type: 'stage', stage: 'copy', message: `${delivery.resumed ? 'resuming' : 'starting'} the copy (${delivery.mode})` });
  const alreadyCopied = ledger.copied();
  const meter = new ProgressMeter('copy', plan.estimate.records, alreadyCopied, metrics);
  announcePartitions(plan, checkpoint, metrics);
  // The checkpoint was just loaded or created: its age counts from here.
  metrics.checkpointed();
  metrics.inFlight(() => delivery.producer.bufferedBytes);
  const duplicateAcks = new Set<string>();
  const stats = emptyCopyStats();
  const progress = () => onEvent(meter.event(delivery.producer.throttledMs));
  const ticker = setInterval(progress, 1000);
  try {
    await refuseCopyOfTruncatedSource(plan, source, checkpoint);
    await runCopyEngine({
      plan,
      source,
      producer: delivery.producer,
      ledger,
      filter,
      meter,
      limiter: options.maxRatePerSec ? new RateLimiter(options.maxRatePerSec) : undefined,
      passthrough: options.passthrough ?? true,
      ...(options.compression ? { compression: options.compression } : {}),
      memoryBudgetBytes: memoryBudgetOf(options),
      onChange: () => delivery.onChange(),
      boundary: reportingCommits(delivery.boundary, metrics),
      onRetry: (message, code) => onEvent(retryEvent(message, code)),
      metrics,
      duplicateAcks,
      stats,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await refreshEnds(destination, ledger, duplicateAcks);
  } catch (error) {
    clearInterval(ticker);
    metrics.inFlight(null);
    await delivery.abandon();
    delivery.producer.close();
    throw await explainTruncation(error, () => refuseCopyOfTruncatedSource(plan, source, checkpoint));
  }
  clearInterval(ticker);
  metrics.inFlight(null);
  progress();
  const interrupted = options.signal?.aborted === true;
  await delivery.finish(!interrupted).finally(() => delivery.producer.close());
  metrics.checkpointed();
  if (interrupted) throw new KrerouteError('INTERRUPTED', 'copy interrupted; progress is saved', { hint: 'run the same command again to continue' });
  refuseUnmatchedFilter(plan, ledger.view);
  return {
    records: meter.records - alreadyCopied,
    bytes: meter.bytes,
    seconds: (performance.now() - started) / 1000,
    reconciled: delivery.reconciled,
    resumed: delivery.resumed,
    alreadyComplete: false,
    mode: delivery.mode,
    stats,
  };
}

async function startDelivery(
  plan: Plan,
  options: CopyOptions,
  source: KafkaCluster,
  destination: KafkaCluster,
  filter: RecordFilter,
  onEvent: EventSink,
  metrics: MetricsSink,
) {
  const mode = options.mode ?? 'auto';
  const intervalMs = options.commitIntervalMs ?? 1000;
  const onThrottle = (heldMs: number): void => metrics.throttled('destination', heldMs / 1000);
  const eos = {
    checkpointTopic: options.checkpointTopic ?? DEFAULT_CHECKPOINT_TOPIC,
    commitIntervalMs: intervalMs,
    transactionTimeoutMs: options.transactionTimeoutMs ?? TRANSACTION_TIMEOUT_MS,
    memoryBudgetBytes: memoryBudgetOf(options),
    metrics,
    onThrottle,
  };
  const atLeastOnce = () => startAtLeastOnce(plan, source, destination, options.stateDir, filter, onEvent, intervalMs, eos.checkpointTopic, onThrottle);
  if (mode === 'at-least-once') return atLeastOnce();
  const local = await loadLocalMirror(plan, options.stateDir, destination, eos.checkpointTopic, onEvent);
  if (mode === 'auto' && (local?.mode === 'at-least-once' || (!local && (await startedAtLeastOnce(plan, destination, eos.checkpointTopic)))))
    return atLeastOnce();
  try {
    return await startExactlyOnce(plan, destination, options.stateDir, local, eos, onEvent);
  } catch (error) {
    if (mode !== 'auto' || !isKrerouteError(error) || !['NOT_AUTHORIZED', 'KAFKA', 'KAFKA_REFUSED'].includes(error.code) || local) throw error;
    onEvent({
      type: 'warning',
      code: 'TRANSACTIONS_REFUSED',
      message: `the destination refused transactions (${error.message}); copying at-least-once with a local checkpoint`,
    });
    return atLeastOnce();
  }
}

function memoryBudgetOf(options: CopyOptions): number {
  return options.memoryBudgetBytes ?? 32 * 1024 * 1024;
}

/** Whether the destination holds this plan's checkpoint of an unfinished at-least-once copy (run from another machine). */
async function startedAtLeastOnce(plan: Plan, destination: KafkaCluster, checkpointTopic: string): Promise<boolean> {
  const store = new DestinationCheckpointStore(destination, checkpointTopic);
  if (!(await store.exists())) return false;
  const published = await store.load(plan);
  return published?.mode === 'at-least-once' && !published.complete;
}

/**
 * The local checkpoint. A damaged one stops the copy, unless the destination holds this plan's
 * exactly-once checkpoint: then the local file was only its mirror, and the destination decides.
 */
async function loadLocalMirror(
  plan: Plan,
  stateDir: string,
  destination: KafkaCluster,
  checkpointTopic: string,
  onEvent: EventSink,
): Promise<CopyCheckpoint | null> {
  try {
    return await loadCheckpoint(stateDir, plan.hash);
  } catch (error) {
    if (!isKrerouteError(error) || error.code !== 'CHECKPOINT_CORRUPT') throw error;
    const store = new DestinationCheckpointStore(destination, checkpointTopic);
    const onDestination = (await store.exists()) ? await store.load(plan, { onWait: (message) => onEvent({ type: 'retry', message }) }) : null;
    if (!onDestination) throw error;
    onEvent({
      type: 'warning',
      code: 'LOCAL_CHECKPOINT_REPLACED',
      message: `${error.message}; it mirrors the exactly-once checkpoint on the destination, which is resumed from (the local copy is rewritten)`,
    });
    return null;
  }
}

/** After a write acknowledged as a duplicate (no offset given), our range there ends at least at the log end. */
async function refreshEnds(destination: KafkaCluster, ledger: CheckpointLedger, keys: Set<string>): Promise<void> {
  for (const key of keys) {
    const slash = key.lastIndexOf('/');
    const [latest] = await destination.listOffsets(key.slice(0, slash), [Number(key.slice(slash + 1))], { kind: 'latest' }, false);
    if (latest) ledger.raiseDestinationEnd(key, latest.offset);
  }
}

/** Tells the metrics what each partition is expected to hold and what earlier runs copied of it. */
function announcePartitions(plan: Plan, checkpoint: CheckpointView, metrics: MetricsSink): void {
  const expected = expectations(plan);
  for (const topic of plan.topics) {
    for (const planned of topic.partitions) {
      const state = checkpoint.sources[partitionKey(topic.source, planned.partition)]!;
      metrics.planned('copy', topic.source, planned.partition, { ...expected(planned), endOffset: Number(planned.end) }, state.copied);
      metrics.position('copy', topic.source, planned.partition, Number(state.next));
      if (state.done) metrics.finished('copy', topic.source, planned.partition);
    }
  }
}

/** The boundary, telling the metrics of every checkpoint it commits. */
function reportingCommits(boundary: TransactionBoundary | undefined, metrics: MetricsSink): TransactionBoundary | undefined {
  if (!boundary || metrics === noMetrics) return boundary;
  return {
    due: () => boundary.due(),
    commit: () => boundary.commit().then(() => metrics.checkpointed()),
    enlist: (topic, partitions) => boundary.enlist(topic, partitions),
    overdue: () => boundary.overdue(),
    unackedLimit: () => boundary.unackedLimit(),
  };
}
