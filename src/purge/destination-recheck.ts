import type { Verdict } from '../verify/verification-file.ts';
import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { faultPoint } from '../common/fault-points.ts';
import { fetchPartition } from '../kafka/fetch/fetch.ts';
import type { RecordAnchor, VerifyReport } from '../verify/report.ts';
import { recordDigest } from '../verify/record-digest.ts';

/**
 * A verification is a statement about the destination when verify ran. Before the source copy is
 * deleted, the first and last copied record of every destination partition must still be there,
 * unchanged: a destination topic deleted or recreated, truncated by retention or DeleteRecords,
 * or a verification file carried over from another cluster fails this.
 */
export async function checkDestinationHolds(destination: KafkaCluster, verification: Pick<VerifyReport, 'partitions'> | Verdict): Promise<void> {
  const layouts = await destination.topicLayouts([...new Set(verification.partitions.map((p) => p.destinationTopic))]);
  for (const verdict of verification.partitions) {
    if (!verdict.anchors) continue;
    const where = `${verdict.destinationTopic}[${verdict.destinationPartition}]`;
    if (!layouts.has(verdict.destinationTopic)) throw gone(`destination topic ${verdict.destinationTopic} no longer exists`);
    const [start] = await destination.listOffsets(verdict.destinationTopic, [verdict.destinationPartition], { kind: 'earliest' }, false);
    const [end] = await destination.listOffsets(verdict.destinationTopic, [verdict.destinationPartition], { kind: 'latest' }, true);
    const readable = { from: start?.offset ?? 0n, to: end?.offset ?? 0n };
    faultPoint('purge-destination-read');
    const first = BigInt(verdict.anchors.first.offset);
    if (readable.from > first) {
      const last = BigInt(verdict.anchors.last.offset);
      const lost = readable.from > last ? `offsets ${first}..${last}, every copied record` : `offsets ${first}..${readable.from - 1n}`;
      throw gone(
        `destination ${where} now starts at offset ${readable.from}, past the copied records from offset ${first} (${lost} deleted there by retention or DeleteRecords since verify)`,
      );
    }
    for (const anchor of [verdict.anchors.first, verdict.anchors.last]) {
      if (!(await holds(destination, verdict.destinationTopic, verdict.destinationPartition, anchor, readable))) {
        throw gone(`the copied record at ${where} offset ${anchor.offset} is no longer on the destination as verify saw it`);
      }
    }
  }
}

async function holds(
  destination: KafkaCluster,
  topic: string,
  partition: number,
  anchor: RecordAnchor,
  readable: { from: bigint; to: bigint },
): Promise<boolean> {
  const offset = BigInt(anchor.offset);
  if (offset < readable.from || offset >= readable.to) return false;
  let fetched: Awaited<ReturnType<typeof fetchPartition>>;
  try {
    fetched = await fetchPartition(destination, topic, partition, offset, { maxBytes: 1024 * 1024, maxWaitMs: 100, readCommitted: true });
  } catch (error) {
    // Retention or DeleteRecords took it after its log start was read.
    if (error instanceof KrerouteError && error.code === 'DESTINATION_TRUNCATED') return false;
    throw error;
  }
  const record = fetched.records.find((r) => r.offset === offset);
  return record !== undefined && recordDigest(record).toString('hex') === anchor.digest;
}

function gone(what: string): KrerouteError {
  return new KrerouteError('NOT_VERIFIED', `purge refused: ${what}`, { hint: 'run kreroute verify again; nothing was deleted' });
}
