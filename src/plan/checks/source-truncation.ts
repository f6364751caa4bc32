import { isKrerouteError } from '../../common/errors.ts';
import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import type { Plan, PlanPartition } from '../plan.ts';

/** Offsets [from, to) of a planned source partition that the source no longer holds. */
export interface LostRange {
  topic: string;
  partition: number;
  from: bigint;
  to: bigint;
}

/**
 * Where the source's log start has moved past offsets a step still has to read (retention or
 * DeleteRecords): `neededFrom` says from which offset on a partition is still needed (null: done).
 */
export async function lostSourceRanges(
  source: KafkaCluster,
  plan: Plan,
  neededFrom: (topic: string, planned: PlanPartition) => bigint | null,
): Promise<LostRange[]> {
  const lost: LostRange[] = [];
  for (const topic of plan.topics) {
    const needed = new Map<number, bigint>();
    for (const planned of topic.partitions) {
      const from = neededFrom(topic.source, planned);
      if (from !== null && from < BigInt(planned.end)) needed.set(planned.partition, from);
    }
    if (needed.size === 0) continue;
    for (const listed of await source.listOffsets(topic.source, [...needed.keys()], { kind: 'earliest' })) {
      const from = needed.get(listed.partition)!;
      const end = BigInt(topic.partitions.find((p) => p.partition === listed.partition)!.end);
      if (listed.offset > from) lost.push({ topic: topic.source, partition: listed.partition, from, to: listed.offset < end ? listed.offset : end });
    }
  }
  return lost;
}

export function describeLostRanges(lost: LostRange[]): string {
  const shown = lost.slice(0, 4).map((l) => `${l.topic}[${l.partition}] offsets ${l.from}–${l.to - 1n}`);
  return `${shown.join(', ')}${lost.length > shown.length ? ` and ${lost.length - shown.length} more partition(s)` : ''}`;
}

export const NEW_PLAN_FOR_THE_REST = 'make a new plan from the current log start (kreroute plan --from earliest …) for what the source still holds';

/**
 * A fetch that ran into deleted offsets mid-step, explained like the up-front check: `refuse`
 * throws the explanation when it finds the loss; otherwise the original error stands.
 */
export async function explainTruncation(error: unknown, refuse: () => Promise<void>): Promise<unknown> {
  if (!isKrerouteError(error) || error.code !== 'SOURCE_TRUNCATED') return error;
  try {
    await refuse();
  } catch (explained) {
    return explained;
  }
  return error;
}
