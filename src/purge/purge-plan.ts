import { KrerouteError } from '../common/errors.ts';
import { type EventSink, ignoreEvents } from '../common/events.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { describeFilter } from '../plan/filter/filter-spec.ts';
import { openPlanCluster } from '../plan/plan-clusters.ts';
import type { Plan } from '../plan/plan.ts';
import type { Verdict } from '../verify/verification-file.ts';
import { readJobState } from '../shard/job-state.ts';
import { findVerdict } from '../verify/find-verdict.ts';
import { checkDestinationHolds } from './destination-recheck.ts';
import { recheckDestinationSinceVerify } from './arrivals-since-verify.ts';
import { type PurgeTarget, confirmSourceTopic } from './source-identity.ts';
import { refuseRecreatedTopics } from '../plan/checks/topic-identity.ts';
import { faultPoint } from '../common/fault-points.ts';
import { refuseDestinationLoss } from '../plan/checks/keep-check.ts';

export interface PurgeOptions {
  source: ClientSettings;
  /** The destination, where purge checks that what verify saw is still there. */
  destination: ClientSettings;
  stateDir: string;
  /** Where copies and verifies keep checkpoints and verdicts on the destination (default kreroute-checkpoints). */
  checkpointTopic?: string;
  dryRun?: boolean;
  /** How long copies must stay on the destination from now (default a day); no flag lets purge accept a loss. */
  keepMarginMs?: number;
  onEvent?: EventSink;
}

export interface PurgePartition {
  topic: string;
  partition: number;
  logStartBefore: string;
  deleteBefore: string;
  records: number;
  logStartAfter: string | null;
}

export interface PurgeReport {
  dryRun: boolean;
  partitions: PurgePartition[];
}

/**
 * Deletes the plan's range from the source with DeleteRecords — which removes everything below an
 * offset — so only when: a passing verification of this very plan exists, agrees with itself and
 * with the destination as it is now (see checkDestinationHolds); both sides' topics are still the
 * plan's (topic ids, and the source's anchored records: see confirmSourceTopic); no other
 * tenant's record lies in the range; and nothing older than the range's start is still in the log.
 */
export async function purgePlan(plan: Plan, options: PurgeOptions): Promise<PurgeReport> {
  const onEvent = options.onEvent ?? ignoreEvents;
  const destination = await openPlanCluster(plan, 'destination', options.destination);
  let verification: Verdict;
  try {
    const job = await readJobState(plan, destination, {
      stateDir: options.stateDir,
      ...(options.checkpointTopic ? { checkpointTopic: options.checkpointTopic } : {}),
      onWait: (message) => onEvent({ type: 'retry', message }),
    });
    verification = await findVerdict(plan, options.stateDir, job, 'purge');
    if (verification.passed) {
      await refuseRecreatedTopics(plan, { destination }, 'purge');
      await checkDestinationHolds(destination, verification);
    }
  } finally {
    await destination.close();
  }
  if (!verification.passed) {
    throw new KrerouteError('NOT_VERIFIED', 'purge refused: the last verification of this plan failed', {
      hint: 'fix the copy (copy again, then verify) before purging',
    });
  }
  const others = verification.otherRecords.filter((o) => o.count > 0);
  if (plan.filter && others.length > 0) {
    const total = others.reduce((sum, o) => sum + o.count, 0);
    throw new KrerouteError(
      'PURGE_UNSAFE',
      `purge refused: the range also holds ${total} record(s) of other tenants (not ${describeFilter(plan.filter)}) in ${others.length} partition(s), and DeleteRecords would delete them too`,
      {
        hint: 'leave the source to its retention, or copy those records elsewhere first and purge with a plan that covers them',
      },
    );
  }
  const source = await openPlanCluster(plan, 'source', options.source);
  try {
    const partitions = await inspect(plan, source);
    // Every topic first, so a recreated one is refused before any topic is purged; then again right before each delete.
    for (const topic of plan.topics) {
      const targets = targetsOf(partitions, topic.source);
      if (targets.length > 0) await confirmSourceTopic(source, topic, targets);
    }
    const older = partitions.filter((p) => p.records > 0 && BigInt(p.logStartBefore) < BigInt(startOf(plan, p.topic, p.partition)));
    if (older.length > 0) {
      const first = older[0]!;
      throw new KrerouteError(
        'PURGE_UNSAFE',
        `purge refused: ${first.topic}[${first.partition}] still holds offsets ${first.logStartBefore}..${BigInt(startOf(plan, first.topic, first.partition)) - 1n} before the plan's range, and DeleteRecords would delete them too (${older.length} partition(s) like this)`,
        {
          hint: 'plan from --from earliest so the range covers them, or leave the source to its retention',
        },
      );
    }
    // The destination's configs may have changed since verify: checked again, last, with no way to accept a loss.
    await refuseUnkeptCopies(plan, source, options);
    // Last, right before deleting: nothing that reached the destination since verify may be another copy.
    await recheckDestinationSinceVerify(plan, verification, options.destination, source, onEvent);
    if (options.dryRun) {
      onEvent({ type: 'info', message: 'dry run: nothing deleted' });
      return { dryRun: true, partitions };
    }
    onEvent({ type: 'stage', stage: 'purge', message: 'deleting the verified range from the source' });
    for (const topic of plan.topics) {
      const offsets = new Map(partitions.filter((p) => p.topic === topic.source && p.records > 0).map((p) => [p.partition, BigInt(p.deleteBefore)]));
      if (offsets.size === 0) continue;
      faultPoint('before-purge-topic');
      await confirmSourceTopic(source, topic, targetsOf(partitions, topic.source));
      const after = await source.deleteRecordsBefore(topic.source, offsets);
      for (const p of partitions) if (p.topic === topic.source && after.has(p.partition)) p.logStartAfter = String(after.get(p.partition));
    }
    return { dryRun: false, partitions };
  } finally {
    await source.close();
  }
}

function targetsOf(partitions: PurgePartition[], topic: string): PurgeTarget[] {
  return partitions.filter((p) => p.topic === topic && p.records > 0).map((p) => ({ partition: p.partition, logStart: BigInt(p.logStartBefore) }));
}

async function refuseUnkeptCopies(plan: Plan, source: KafkaCluster, options: PurgeOptions): Promise<void> {
  const destination = await openPlanCluster(plan, 'destination', options.destination);
  try {
    await refuseDestinationLoss(plan, source, destination, 'purge', options.keepMarginMs !== undefined ? { marginMs: options.keepMarginMs } : {});
  } finally {
    await destination.close();
  }
}

function startOf(plan: Plan, topic: string, partition: number): string {
  return plan.topics.find((t) => t.source === topic)!.partitions.find((p) => p.partition === partition)!.start;
}

async function inspect(plan: Plan, source: KafkaCluster): Promise<PurgePartition[]> {
  const partitions: PurgePartition[] = [];
  for (const topic of plan.topics) {
    const earliest = new Map(
      (
        await source.listOffsets(
          topic.source,
          topic.partitions.map((p) => p.partition),
          { kind: 'earliest' },
        )
      ).map((l) => [l.partition, l.offset]),
    );
    for (const planned of topic.partitions) {
      const logStart = earliest.get(planned.partition) ?? 0n;
      const end = BigInt(planned.end);
      // Already purged (a rerun after a crash): the log starts at or past the end; nothing to do.
      const records = logStart >= end || planned.start === planned.end ? 0 : Number(end - logStart);
      partitions.push({
        topic: topic.source,
        partition: planned.partition,
        logStartBefore: String(logStart),
        deleteBefore: String(end),
        records,
        logStartAfter: null,
      });
    }
  }
  return partitions;
}
