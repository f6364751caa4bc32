import { KrerouteError } from '../errors.ts';
import { type EventSink, ignoreEvents } from '../events.ts';
import type { ClientSettings } from '../kafka/client-settings.ts';
import type { KafkaCluster } from '../kafka/cluster.ts';
import { PipelinedProducer } from '../kafka/pipelined-producer.ts';
import { initProducerId } from '../kafka/producer-id.ts';
import { type CopyCheckpoint, loadCheckpoint, partitionKey, saveCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import { withPlanClusters } from '../plan/plan-clusters.ts';
import type { Plan } from '../plan/plan.ts';
import { compileFilter } from '../plan/record-filter.ts';
import { type CopyStats, runCopyEngine } from './copy-engine.ts';
import { reconcile } from './reconcile.ts';
import { ProgressMeter } from './progress-meter.ts';
import { RateLimiter } from './rate-limiter.ts';
import { CheckpointWriter } from './checkpoint-writer.ts';

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
  /** Bytes fetched but not yet acknowledged by the destination, at most (default 64 MiB). */
  memoryBudgetBytes?: number;
  onEvent?: EventSink;
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
  /** Batches forwarded as fetched (passthrough) and records decoded and re-encoded. */
  stats: CopyStats;
}

export async function copyPlan(plan: Plan, options: CopyOptions): Promise<CopySummary> {
  const overlaps = plan.checks.filter((c) => c.code === 'OVERLAP');
  if (overlaps.length > 0 && !options.acceptOverlap) {
    throw new KrerouteError('OVERLAP', `the plan found newer records on the destination (${overlaps.length} partition(s), e.g. ${overlaps[0]!.message})`, {
      hint: 'copying would let older records win for latest-per-key readers; pass --accept-overlap to copy anyway',
    });
  }
  return withPlanClusters(plan, options.source, options.destination, (source, destination) => runCopy(plan, options, source, destination));
}

async function runCopy(plan: Plan, options: CopyOptions, source: KafkaCluster, destination: KafkaCluster): Promise<CopySummary> {
  const onEvent = options.onEvent ?? ignoreEvents;
  const started = performance.now();
  await checkDestinationLayout(plan, destination);
  const existing = await loadCheckpoint(options.stateDir, plan.hash);
  if (existing?.complete) {
    onEvent({ type: 'info', message: 'this plan was already copied completely; nothing to do' });
    return { records: 0, bytes: 0, seconds: 0, reconciled: 0, resumed: true, alreadyComplete: true, stats: { forwardedBatches: 0, forwardedRecords: 0, reencodedRecords: 0 } };
  }
  const checkpoint = existing ?? (await freshCheckpoint(plan, destination));
  const previousIds = new Set(checkpoint.producerIds.map(BigInt));
  onEvent({ type: 'stage', stage: 'copy', message: existing ? 'resuming the copy from its checkpoint' : 'starting the copy' });
  const filter = compileFilter(plan.filter);
  const reconciled = await reconcile({ plan, source, destination, checkpoint, filter, previousProducerIds: previousIds });
  if (reconciled > 0) onEvent({ type: 'info', message: `${reconciled} record(s) written by the interrupted run after its last checkpoint will not be written again` });
  const producer = new PipelinedProducer(destination, await initProducerId(destination), { onRetry: (message) => onEvent({ type: 'retry', message }) });
  checkpoint.producerIds.push(String(producer.identity.producerId));
  const writer = new CheckpointWriter(options.stateDir, checkpoint);
  await writer.flush();

  const alreadyCopied = Object.values(checkpoint.sources).reduce((sum, s) => sum + s.copied, 0);
  const meter = new ProgressMeter('copy', plan.estimate.records, alreadyCopied);
  const duplicateAcks = new Set<string>();
  const stats: CopyStats = { forwardedBatches: 0, forwardedRecords: 0, reencodedRecords: 0 };
  const ticker = setInterval(() => onEvent(meter.event()), 1000);
  const copiedBefore = meter.records;
  try {
    await runCopyEngine({
      plan,
      source,
      producer,
      checkpoint,
      filter,
      meter,
      limiter: options.maxRatePerSec ? new RateLimiter(options.maxRatePerSec) : undefined,
      passthrough: options.passthrough ?? true,
      memoryBudgetBytes: options.memoryBudgetBytes ?? 64 * 1024 * 1024,
      onChange: () => writer.soon(),
      duplicateAcks,
      stats,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await refreshEnds(destination, checkpoint, duplicateAcks);
  } finally {
    clearInterval(ticker);
    await writer.flush();
  }
  onEvent(meter.event());
  if (options.signal?.aborted) {
    throw new KrerouteError('INTERRUPTED', 'copy interrupted; progress is saved', { hint: 'run the same command again to continue' });
  }
  checkpoint.complete = true;
  await writer.flush();
  return {
    records: meter.records - copiedBefore,
    bytes: meter.bytes,
    seconds: (performance.now() - started) / 1000,
    reconciled,
    resumed: existing !== null,
    alreadyComplete: false,
    stats,
  };
}

async function checkDestinationLayout(plan: Plan, destination: KafkaCluster): Promise<void> {
  const layouts = await destination.topicLayouts(plan.topics.map((t) => t.destination));
  for (const topic of plan.topics) {
    const layout = layouts.get(topic.destination);
    if (!layout) {
      throw new KrerouteError('DESTINATION_CHECK', `destination topic ${topic.destination} does not exist on ${destination.label}`, {
        hint: 'create it (or plan again with --create-topics)',
      });
    }
    if (layout.partitions !== topic.destinationPartitions) {
      throw new KrerouteError('DESTINATION_CHECK', `destination ${topic.destination} has ${layout.partitions} partitions, the plan was made for ${topic.destinationPartitions}`, {
        hint: 'make a new plan: the partition mapping depends on the count',
      });
    }
  }
}

async function freshCheckpoint(plan: Plan, destination: KafkaCluster): Promise<CopyCheckpoint> {
  const checkpoint: CopyCheckpoint = { format: 'kreroute-checkpoint', version: 1, planHash: plan.hash, producerIds: [], sources: {}, destinations: {}, complete: false, updatedAt: '' };
  for (const topic of plan.topics) {
    for (const p of topic.partitions) checkpoint.sources[partitionKey(topic.source, p.partition)] = { next: p.start, copied: 0, skipped: 0, done: p.start === p.end, alreadyWritten: [] };
    const receivers = plan.mapping === 'same' ? [...new Set(topic.partitions.map((p) => p.destinationPartition!))] : [...Array(topic.destinationPartitions).keys()];
    const latest = await destination.listOffsets(topic.destination, receivers, { kind: 'latest' }, false);
    for (const entry of latest) checkpoint.destinations[partitionKey(topic.destination, entry.partition)] = { scanFrom: String(entry.offset), end: null, written: 0 };
  }
  return checkpoint;
}

/** After a write acknowledged as a duplicate (no offset given), our range there ends at least at the log end. */
async function refreshEnds(destination: KafkaCluster, checkpoint: CopyCheckpoint, keys: Set<string>): Promise<void> {
  for (const key of keys) {
    const slash = key.lastIndexOf('/');
    const [latest] = await destination.listOffsets(key.slice(0, slash), [Number(key.slice(slash + 1))], { kind: 'latest' }, false);
    const state = checkpoint.destinations[key]!;
    if (latest && (state.end === null || BigInt(state.end) < latest.offset)) state.end = String(latest.offset);
  }
}
