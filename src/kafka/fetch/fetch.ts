import { fetchV12, type Connection } from '@platformatic/kafka';
import { KrerouteError } from '../../common/errors.ts';
import { recordsGone } from './records-gone.ts';
import { libraryApiVersions, requireApiVersion } from '../net/api-versions.ts';
import { extractRecords } from '../wire/batch/batch-records.ts';
import type { KafkaCluster } from '../client/cluster.ts';
import { protocolErrorIds, toKrerouteError, STALE_LEADER_ERRORS } from '../client/errors.ts';
import type { FetchedRecord } from '../wire/record.ts';
import { type RetryPolicy, clusterRetry, retryCode, withRetry } from '../client/retry.ts';
import { FETCH_API_KEY, FETCH_API_VERSION } from '../wire/raw-fetch.ts';

export interface FetchResult {
  records: FetchedRecord[];
  /** Where the next fetch of this partition starts. */
  nextOffset: bigint;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

export interface FetchOptions {
  maxBytes: number;
  maxWaitMs: number;
  readCommitted: boolean;
  retry?: RetryPolicy;
}

export const DEFAULT_FETCH: FetchOptions = { maxBytes: 8 * 1024 * 1024, maxWaitMs: 500, readCommitted: true };

/** Reads one partition from `offset` on: decoded, committed records only. */
export async function fetchPartition(
  cluster: KafkaCluster,
  topic: string,
  partition: number,
  offset: bigint,
  options: FetchOptions = DEFAULT_FETCH,
): Promise<FetchResult> {
  let refresh = false;
  return withRetry(
    async () => {
      const { connection } = await cluster.leaderConnection(topic, partition, refresh);
      requireApiVersion(await libraryApiVersions(connection), FETCH_API_KEY, FETCH_API_VERSION, `leading ${topic}[${partition}] on ${cluster.label}`);
      try {
        return await fetchOnce(connection, topic, partition, offset, options);
      } catch (error) {
        const ids = protocolErrorIds(error);
        if (ids.includes('OFFSET_OUT_OF_RANGE')) throw recordsGone(cluster, topic, partition, offset);
        if (ids.some((id) => STALE_LEADER_ERRORS.has(id))) refresh = true;
        throw error;
      }
    },
    options.retry ?? {
      ...clusterRetry(cluster.settings),
      onRetry: (error, attempt, delayMs) =>
        cluster.settings.onWait?.(`fetching ${topic}[${partition}] from ${cluster.label} failed (${retryCode(error)}); retry ${attempt} in ${delayMs} ms`),
    },
  ).catch((error: unknown) => {
    throw toKrerouteError(error, `fetching ${topic}[${partition}] at offset ${offset} from ${cluster.label}`);
  });
}

async function fetchOnce(connection: Connection, topic: string, partition: number, offset: bigint, options: FetchOptions): Promise<FetchResult> {
  const response = await fetchV12.api.async(
    connection,
    options.maxWaitMs,
    1,
    options.maxBytes,
    options.readCommitted ? 1 : 0,
    0,
    -1,
    [{ topicId: topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, partitionMaxBytes: options.maxBytes }] }],
    [],
    '',
  );
  const answer = response.responses[0]?.partitions.find((p) => p.partitionIndex === partition);
  if (!answer) throw new KrerouteError('KAFKA', `the broker sent no data for ${topic}[${partition}]`);
  const extracted = extractRecords(answer.records ?? [], answer.abortedTransactions, offset);
  return {
    records: extracted.records,
    nextOffset: extracted.nextOffset,
    highWatermark: answer.highWatermark,
    lastStableOffset: answer.lastStableOffset,
    logStartOffset: answer.logStartOffset,
  };
}
