import { rawFetchV12 } from '../../src/kafka/wire/raw-fetch.ts';
import { type BatchView, splitBatches } from '../../src/kafka/wire/batch/batch-header.ts';
import { cluster } from './fixtures.ts';

/** The record batches of a partition as the broker stores them (headers only, nothing decoded). */
export async function storedBatches(bootstrap: string, topic: string, partition: number): Promise<BatchView[]> {
  const c = cluster(bootstrap);
  try {
    const { connection } = await c.leaderConnection(topic, partition);
    const batches: BatchView[] = [];
    let offset = 0n;
    for (let round = 0; round < 1000; round++) {
      const response = await rawFetchV12.async(
        connection,
        100,
        1,
        16 << 20,
        0,
        0,
        -1,
        [{ topicId: topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, partitionMaxBytes: 16 << 20 }] }],
        [],
        '',
      );
      const raw = response.topics[0]!.partitions[0]!;
      const found = splitBatches(raw.records);
      if (found.length === 0) break;
      batches.push(...found);
      offset = found[found.length - 1]!.lastOffset + 1n;
      if (offset >= raw.highWatermark) break;
    }
    return batches;
  } finally {
    await c.close();
  }
}
