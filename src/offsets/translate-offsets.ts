import { KrerouteError } from '../common/errors.ts';
import type { EventSink } from '../common/events.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import type { CopyCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import { withPlanClusters } from '../plan/plan-clusters.ts';
import type { Plan, PlanTopic } from '../plan/plan.ts';
import { compileFilter } from '../plan/filter/record-filter.ts';
import { readJobState } from '../shard/job-state.ts';
import { destinationWindows } from '../verify/destination-windows.ts';
import { findVerdict } from '../verify/find-verdict.ts';
import { copyCheckpointOf } from '../verify/verify-plan.ts';
import { refuseBeforeRange } from './chain-position.ts';
import { commitGroups } from './commit-groups.ts';
import { placeKeyHash } from './key-hash-translation.ts';
import type { GroupMove, GroupTranslation, OffsetsReport, TranslatedPartition } from './offsets-report.ts';
import type { Placement } from './placement.ts';
import { placeSame } from './same-translation.ts';

export interface OffsetsOptions {
  source: ClientSettings;
  destination: ClientSettings;
  stateDir: string;
  /** The consumer groups to translate. */
  groups: string[];
  /** Commit the translated offsets on the destination (default: a dry run). */
  execute?: boolean;
  /** With execute: also move a group backwards on the destination, over records it consumed there. */
  allowReplay?: boolean;
  checkpointTopic?: string;
  onEvent?: EventSink;
}

/**
 * Translates consumer groups' committed offsets on the source into the exact destination offsets
 * of the copied records they have not consumed yet (see placeSame, placeKeyHash), beside their
 * offsets on the destination now. Only for a copy a verify proved exact. With `execute`, commits
 * them (see commitGroups); otherwise changes nothing.
 */
export async function translateOffsets(plan: Plan, options: OffsetsOptions): Promise<OffsetsReport> {
  if (options.groups.length === 0) throw new KrerouteError('BAD_INPUT', 'no consumer group given', { hint: 'name one with --group G' });
  return withPlanClusters(plan, options.source, options.destination, async (source, destination) => {
    const state = await readJobState(plan, destination, {
      stateDir: options.stateDir,
      ...(options.checkpointTopic ? { checkpointTopic: options.checkpointTopic } : {}),
      onWait: (message) => options.onEvent?.({ type: 'retry', message }),
    });
    // A verify of the whole plan or a complete set of verify shards, here or on the destination.
    const verdict = await findVerdict(plan, options.stateDir, state, 'offsets');
    if (!verdict.passed) {
      throw new KrerouteError('NOT_VERIFIED', 'offsets refused: the last verification of this plan failed', {
        hint: 'fix the copy (copy again, then verify): offsets are translated only for a copy proven exact',
      });
    }
    const checkpoint = copyCheckpointOf(plan, state);
    if (!checkpoint)
      throw new KrerouteError('BAD_INPUT', `no copy of this plan was found in ${options.stateDir} or on the destination`, {
        hint: "give the copy's --state-dir",
      });
    const groups: GroupTranslation[] = options.groups.map((group) => ({ group, partitions: [], committed: false }));
    for (const topic of plan.topics) {
      const translated = await translateTopic(plan, topic, checkpoint, source, destination, options.groups);
      translated.forEach((partitions, g) => groups[g]!.partitions.push(...partitions));
    }
    if (options.execute) await commitGroups(destination, groups, options.allowReplay === true);
    return { planHash: plan.hash, execute: options.execute === true, groups };
  });
}

/** Per group (in the order given), its translated partitions of one topic. */
async function translateTopic(
  plan: Plan,
  topic: PlanTopic,
  checkpoint: CopyCheckpoint,
  source: KafkaCluster,
  destination: KafkaCluster,
  groups: string[],
): Promise<TranslatedPartition[][]> {
  const ours = new Set(checkpoint.producerIds.map(BigInt));
  const filter = compileFilter(plan.filter);
  const receivers = plan.mapping === 'same' ? topic.partitions.map((p) => p.destinationPartition!) : [...Array(topic.destinationPartitions).keys()];
  const windows = await destinationWindows(destination, checkpoint, topic, receivers);
  const onSource: Array<Map<number, bigint>> = [];
  const onDestination: Array<Map<number, bigint>> = [];
  for (const group of groups) {
    onSource.push(
      await source.committedOffsets(
        group,
        topic.source,
        topic.partitions.map((p) => p.partition),
      ),
    );
    onDestination.push(await destination.committedOffsets(group, topic.destination, receivers));
    await refuseBeforeRange(plan, topic, group, onSource.at(-1)!);
  }
  const out: TranslatedPartition[][] = groups.map(() => []);
  const add = (d: number, feeders: number[], placements: Placement[]) =>
    placements.forEach((placement, g) => {
      const committed = feeders.map((p) => ({ partition: p, offset: onSource[g]!.has(p) ? String(onSource[g]!.get(p)) : null }));
      out[g]!.push(partitionOf(topic, d, committed, onDestination[g]!.get(d) ?? null, placement));
    });
  if (plan.mapping === 'same') {
    for (const planned of topic.partitions) {
      const d = planned.destinationPartition!;
      const committed = onSource.map((offsets) => offsets.get(planned.partition) ?? null);
      add(d, [planned.partition], await placeSame(source, destination, topic, planned, windows.get(d)!, ours, filter, committed));
    }
    return out;
  }
  const placements = await placeKeyHash(source, destination, topic, windows, ours, filter, onSource);
  for (const [d, byGroup] of placements)
    add(
      d,
      topic.partitions.map((p) => p.partition),
      byGroup,
    );
  return out;
}

function partitionOf(
  topic: PlanTopic,
  d: number,
  sourceCommitted: TranslatedPartition['sourceCommitted'],
  now: bigint | null,
  placement: Placement,
): TranslatedPartition {
  // Where nothing was copied, the group has nothing to continue at: it stays where it is.
  const to = placement.copied === 0 && now !== null ? now : placement.translated;
  const move: GroupMove = now === null ? 'new' : to === now ? 'none' : to > now ? 'forward' : 'backward';
  return {
    sourceTopic: topic.source,
    sourceCommitted,
    destinationTopic: topic.destination,
    destinationPartition: d,
    destinationCommitted: now === null ? null : String(now),
    translated: String(to),
    copiedRecords: placement.copied,
    consumedRecords: placement.consumed,
    replayedRecords: placement.replayed,
    move,
    offsetsMoved: now === null ? null : String(to - now),
  };
}
