import type { KafkaCluster } from '../kafka/cluster.ts';
import { readRange } from '../kafka/range-reader.ts';
import type { RecordContent } from '../kafka/record.ts';
import { type CopyCheckpoint, parseCheckpoint } from './copy-checkpoint.ts';

export const DEFAULT_CHECKPOINT_TOPIC = 'kreroute-checkpoints';

/**
 * Checkpoints kept on the destination, in a compacted topic keyed by plan hash, written inside the
 * same transaction as the copied records — so the copy's position and its data commit together,
 * as MirrorMaker 2's exactly-once source connectors keep their offsets.
 */
export class DestinationCheckpointStore {
  readonly topic: string;
  readonly #cluster: KafkaCluster;

  constructor(cluster: KafkaCluster, topic = DEFAULT_CHECKPOINT_TOPIC) {
    this.#cluster = cluster;
    this.topic = topic;
  }

  async ensureTopic(): Promise<void> {
    const layouts = await this.#cluster.topicLayouts([this.topic]);
    if (layouts.has(this.topic)) return;
    await this.#cluster
      .createTopic(this.topic, 1, new Map([['cleanup.policy', 'compact'], ['max.message.bytes', String(8 * 1024 * 1024)]]))
      .catch(async (error: unknown) => {
        // Another copier may have created it at the same moment.
        if (!(await this.#cluster.topicLayouts([this.topic])).has(this.topic)) throw error;
      });
  }

  /** The last committed checkpoint of a plan, or null. */
  async load(planHash: string): Promise<CopyCheckpoint | null> {
    const [end] = await this.#cluster.listOffsets(this.topic, [0], { kind: 'latest' }, true);
    const [start] = await this.#cluster.listOffsets(this.topic, [0], { kind: 'earliest' }, true);
    let latest: Buffer | null = null;
    const key = Buffer.from(planHash);
    for await (const chunk of readRange(this.#cluster, this.topic, 0, start?.offset ?? 0n, end?.offset ?? 0n)) {
      for (const record of chunk.records) if (record.key?.equals(key)) latest = record.value;
    }
    return latest ? parseCheckpoint(latest.toString('utf8'), `record ${planHash} of ${this.topic}`, planHash) : null;
  }

  record(checkpoint: CopyCheckpoint): RecordContent {
    return { key: Buffer.from(checkpoint.planHash), value: Buffer.from(JSON.stringify(checkpoint)), headers: [], timestamp: BigInt(Date.now()) };
  }
}
