import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { pollUntil } from '../kafka/net/wait-notice.ts';
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
  const recordedEnd = (d: number): bigint => {
    const end = checkpoint.destinations[partitionKey(topic.destination, d)]?.end;
    return end ? BigInt(end) : 0n;
  };
  const stable = await stableEnds(cluster, topic.destination, partitions, recordedEnd);
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
    const now = stable.get(d) ?? 0n;
    const recorded = recordedEnd(d);
    windows.set(d, { from, to: now > recorded ? now : recorded });
  }
  return windows;
}

/**
 * The last stable offsets, once each has reached the copy's recorded end. Below it, another
 * producer's open transaction holds the partition (the copy's own transactions all ended): a
 * read_committed reader gets nothing past it until that transaction ends, so verify waits for it,
 * saying so, and gives up after the cluster's wait bound (--wait-timeout).
 */
async function stableEnds(cluster: KafkaCluster, topic: string, partitions: number[], recordedEnd: (d: number) => bigint): Promise<Map<number, bigint>> {
  let held: Array<{ partition: number; offset: bigint }> = [];
  return pollUntil(
    async () => {
      const listed = await cluster.listOffsets(topic, partitions, { kind: 'latest' }, true);
      held = listed.filter((l) => l.offset < recordedEnd(l.partition));
      return held.length === 0 ? new Map(listed.map((l) => [l.partition, l.offset])) : undefined;
    },
    () =>
      `${cluster.label}: ` +
      held
        .map(
          (h) =>
            `${topic}[${h.partition}] is held at offset ${h.offset} by another producer's open transaction, below the copy's end ${recordedEnd(h.partition)}`,
        )
        .join('; '),
    { ...cluster.waitBound, pollMs: 1_000 },
  );
}
