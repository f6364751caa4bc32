import { KrerouteError } from '../errors.ts';
import { type EventSink, ignoreEvents } from '../events.ts';
import type { ClientSettings } from '../kafka/client-settings.ts';
import type { KafkaCluster } from '../kafka/cluster.ts';
import { IdempotentProducer } from '../kafka/idempotent-producer.ts';
import { type CopyCheckpoint, loadCheckpoint, partitionKey, saveCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import { withPlanClusters } from '../plan/plan-clusters.ts';
import type { Plan } from '../plan/plan.ts';
import { compileFilter } from '../plan/record-filter.ts';
import { copyPartition } from './copy-partition.ts';
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
  /** Source partitions copied at once. */
  concurrency?: number;
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
    return { records: 0, bytes: 0, seconds: 0, reconciled: 0, resumed: true, alreadyComplete: true };
  }
  const checkpoint = existing ?? (await freshCheckpoint(plan, destination));
  const previousIds = new Set(checkpoint.producerIds.map(BigInt));
  onEvent({ type: 'stage', stage: 'copy', message: existing ? 'resuming the copy from its checkpoint' : 'starting the copy' });
  const filter = compileFilter(plan.filter);
  const reconciled = await reconcile({ plan, source, destination, checkpoint, filter, previousProducerIds: previousIds });
  if (reconciled > 0) onEvent({ type: 'info', message: `${reconciled} record(s) written by the interrupted run after its last checkpoint will not be written again` });
  const producer = await IdempotentProducer.create(destination);
  checkpoint.producerIds.push(String(producer.identity.producerId));
  const writer = new CheckpointWriter(options.stateDir, checkpoint);
  await writer.flush();

  const alreadyCopied = Object.values(checkpoint.sources).reduce((sum, s) => sum + s.copied, 0);
  const meter = new ProgressMeter('copy', plan.estimate.records, alreadyCopied);
  const context = {
    plan,
    source,
    destination,
    producer,
    checkpoint,
    filter,
    meter,
    limiter: options.maxRatePerSec ? new RateLimiter(options.maxRatePerSec) : undefined,
    onChange: () => writer.soon(),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const ticker = setInterval(() => onEvent(meter.event()), 1000);
  const copiedBefore = meter.records;
  try {
    const work = plan.topics.flatMap((topic) => topic.partitions.map((partition) => ({ topic, partition })));
    await runPool(work, options.concurrency ?? 4, ({ topic, partition }) => copyPartition(context, topic, partition));
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

async function runPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++]!;
      await work(item).catch((error: unknown) => errors.push(error));
    }
  });
  await Promise.all(lanes);
  if (errors.length > 0) throw errors[0];
}
