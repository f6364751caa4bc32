import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { produceRecord } from '../kafka/produce/produce-record.ts';
import { DestinationCheckpointStore } from '../checkpoint/destination-store.ts';
import type { VerifyReport } from './report.ts';

/**
 * Publishes a verify's verdict on the destination's checkpoint topic, under the plan's verdict
 * key, so purge can run from any machine. Examples of differences stay in the local report: purge
 * needs only counts, digests and anchors, and a record must stay far below the topic's size limit.
 */
export async function publishVerdict(destination: KafkaCluster, topic: string, key: string, report: VerifyReport): Promise<void> {
  const store = new DestinationCheckpointStore(destination, topic);
  await store.ensureTopic();
  const verdict = {
    ...report,
    partitions: report.partitions.map(({ missing: _m, extra: _e, altered: _a, differingKeys: _k, ...rest }) => ({
      ...rest,
      missing: [],
      extra: [],
      altered: [],
    })),
  };
  await produceRecord(destination, store.topic, 0, store.record(key, verdict));
}
