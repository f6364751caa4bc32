import type { KafkaCluster } from '../kafka/cluster.ts';
import { type CopyCheckpoint, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import type { PlanTopic } from '../plan/plan.ts';

export type Windows = Map<number, { from: bigint; to: bigint }>;

/**
 * Where on each destination partition the plan's copies can lie: from its high watermark when the
 * plan was made (or, for older plans, when the first copy started) to its stable end now, or the
 * copy's recorded end if that lies further. Everything any run of this plan wrote is inside, also
 * what a run wrote past its own checkpoint, so a record written twice shows up as extra.
 */
export async function destinationWindows(cluster: KafkaCluster, checkpoint: CopyCheckpoint, topic: PlanTopic, partitions: number[]): Promise<Windows> {
  const stable = await cluster.listOffsets(topic.destination, partitions, { kind: 'latest' }, true);
  // Below its log start a partition holds nothing to read (retention); copies deleted there show as missing.
  const logStarts = await cluster.listOffsets(topic.destination, partitions, { kind: 'earliest' }, false);
  const windows: Windows = new Map();
  for (const d of partitions) {
    const state = checkpoint.destinations[partitionKey(topic.destination, d)];
    const planned = topic.destinationStarts?.[d];
    const starts = [planned, state?.scanFrom].filter((x): x is string => x !== undefined).map(BigInt);
    const earliest = starts.length > 0 ? starts.reduce((a, b) => (a < b ? a : b)) : 0n;
    const logStart = logStarts.find((l) => l.partition === d)?.offset ?? 0n;
    const from = earliest > logStart ? earliest : logStart;
    const now = stable.find((l) => l.partition === d)?.offset ?? 0n;
    const recorded = state?.end ? BigInt(state.end) : 0n;
    windows.set(d, { from, to: now > recorded ? now : recorded });
  }
  return windows;
}

