import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { type CopyCheckpoint, partitionKey } from '../checkpoint/copy-checkpoint.ts';
import type { Plan } from '../plan/plan.ts';

/** The checkpoint of a copy that has not started: every source at its start, destination ends as they are now. */
export async function freshCheckpoint(plan: Plan, destination: KafkaCluster, mode: CopyCheckpoint['mode']): Promise<CopyCheckpoint> {
  const checkpoint: CopyCheckpoint = {
    format: 'kreroute-checkpoint',
    version: 1,
    planHash: plan.hash,
    mode,
    producerIds: [],
    sources: {},
    destinations: {},
    complete: false,
    updatedAt: '',
  };
  if (plan.shard) checkpoint.shard = { index: plan.shard.index, count: plan.shard.count, of: plan.shard.of };
  for (const topic of plan.topics) {
    for (const p of topic.partitions)
      checkpoint.sources[partitionKey(topic.source, p.partition)] = { next: p.start, copied: 0, skipped: 0, done: p.start === p.end, alreadyWritten: [] };
    const receivers =
      plan.mapping === 'same' ? [...new Set(topic.partitions.map((p) => p.destinationPartition!))] : [...Array(topic.destinationPartitions).keys()];
    const latest = await destination.listOffsets(topic.destination, receivers, { kind: 'latest' }, false);
    for (const entry of latest)
      checkpoint.destinations[partitionKey(topic.destination, entry.partition)] = { scanFrom: String(entry.offset), end: null, written: 0, rebuilt: false };
  }
  return checkpoint;
}
