import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster, TopicLayout } from '../kafka/client/cluster.ts';
import type { ChainStart, PlanCheck, Plan, PlanPredecessor, PlanTopic } from './plan.ts';
import type { PinnedPartition } from './pin-range.ts';

/** The plan a follow-up plan (`plan --after`) continues, and the file it was read from. */
export interface Predecessor {
  plan: Plan;
  planFile: string;
}

/** What a follow-up plan records of its predecessor: its hash and file, and where their chain began. */
export function predecessorRecord(predecessor: Predecessor): PlanPredecessor {
  const { plan, planFile } = predecessor;
  const chain: ChainStart[] =
    plan.after?.chain ??
    plan.topics.map((t) => ({
      source: t.source,
      starts: t.partitions.map((p) => p.start),
      destinationStarts: t.destinationStarts ?? [],
    }));
  return { planHash: plan.hash, planFile, chain };
}

/** The follow-up's range as the plan file shows it. */
export function describeAfter(predecessor: Predecessor): { from: string; to: string } {
  return { from: `after:${predecessor.plan.hash.slice(0, 12)}`, to: 'latest' };
}

/**
 * A follow-up plan moves the same topics to the same destination topics as its predecessor, of
 * the same clusters: a source topic recreated since (another topic id) or another cluster is refused.
 */
export function checkSameTopics(predecessor: Predecessor, layouts: Map<string, TopicLayout>, clusterIds: { source: string; destination: string }): void {
  const { plan, planFile } = predecessor;
  for (const side of ['source', 'destination'] as const) {
    if (clusterIds[side] !== plan[side].clusterId) {
      throw new KrerouteError('PLAN_MISMATCH', `the ${side} is cluster ${clusterIds[side]}, ${planFile} was made for cluster ${plan[side].clusterId}`, {
        hint: `a follow-up plan moves from and to the clusters of its predecessor: point --${side} at ${plan[side].bootstrap}`,
      });
    }
  }
  for (const topic of plan.topics) {
    const layout = layouts.get(topic.source);
    if (!layout) {
      throw new KrerouteError('PLAN_MISMATCH', `source topic ${topic.source} of ${planFile} no longer exists`, {
        hint: 'nothing can follow it: plan the remaining topics with `kreroute plan`',
      });
    }
    if (topic.sourceTopicId && layout.id && layout.id !== topic.sourceTopicId) {
      throw new KrerouteError('PLAN_MISMATCH', `source topic ${topic.source} was deleted and recreated since ${planFile} was made (its topic id changed)`, {
        hint: 'its offsets no longer continue the plan: make a new plan with `kreroute plan`',
      });
    }
  }
}

/**
 * The follow-up's range of every partition: from where the predecessor ended to the last stable
 * offset now. A partition added since starts at its log start. A predecessor end below the log
 * start means records were deleted by retention before they could follow: a warning.
 */
export async function pinAfter(source: KafkaCluster, topic: PlanTopic, partitionCount: number, checks: PlanCheck[]): Promise<PinnedPartition[]> {
  const partitions = [...Array(partitionCount).keys()];
  const earliest = new Map((await source.listOffsets(topic.source, partitions, { kind: 'earliest' })).map((l) => [l.partition, l.offset]));
  const stable = new Map((await source.listOffsets(topic.source, partitions, { kind: 'latest' }, true)).map((l) => [l.partition, l.offset]));
  const previousEnds = new Map(topic.partitions.map((p) => [p.partition, BigInt(p.end)]));
  return partitions.map((partition) => {
    const logStart = earliest.get(partition) ?? 0n;
    const stableEnd = stable.get(partition) ?? 0n;
    const previousEnd = previousEnds.get(partition) ?? logStart;
    if (previousEnd < logStart) {
      checks.push({
        level: 'warning',
        code: 'START_BEFORE_LOG',
        topic: topic.source,
        partition,
        message: `${topic.source}[${partition}]: the previous plan ended at ${previousEnd}, the log now starts at ${logStart}; the records between were deleted before they could follow`,
      });
    }
    const start = previousEnd < logStart ? logStart : previousEnd > stableEnd ? stableEnd : previousEnd;
    return { partition, start, end: stableEnd, logStart, stableEnd };
  });
}
