import type { EventSink } from './events.ts';

export type JobStage = 'plan' | 'copy' | 'verify' | 'purge';
/** The stages that go through partitions record by record. */
export type MeteredStage = 'copy' | 'verify';
/** What a copy waits for: an answer from a cluster, or its --max-rate. */
export type WaitCause = 'source' | 'destination' | 'rate-limit';

/** What the plan expects in a source partition. */
export interface PartitionExpectation {
  records: number;
  bytes: number;
  /** The plan's pinned end offset (exclusive), for the offset lag; absent: no lag is reported. */
  endOffset?: number;
}

/**
 * What the engine measures while it works, for a monitoring system (the CLI's --metrics-* flags
 * feed Prometheus). Partitions are the plan's source partitions. Every call is cheap and
 * synchronous; the default, noMetrics, drops everything. Rates are not reported: a monitoring
 * system derives them from the counts.
 */
export interface MetricsSink {
  /** The job entered a stage. */
  stage(stage: JobStage): void;
  /** A partition the stage will go through: what the plan expects there, and what earlier runs did already. */
  planned(stage: MeteredStage, topic: string, partition: number, expected: PartitionExpectation, doneBefore: number): void;
  /**
   * Records and bytes done by this process (copy: acknowledged by the destination; verify: read and
   * compared), in the given source partition when it is known.
   */
  progressed(stage: MeteredStage, records: number, bytes: number, topic?: string, partition?: number): void;
  /** The next source offset the stage will read in a partition (what is behind it is done). */
  position(stage: MeteredStage, topic: string, partition: number, nextOffset: number): void;
  /** Nothing remains of a partition, whatever the plan expected (a filter, compaction, aborted records). */
  finished(stage: MeteredStage, topic: string, partition: number): void;
  /** A checkpoint was committed (a copy can resume from here). */
  checkpointed(): void;
  /** A failed request is being tried again; `code` is Kafka's error name (NOT_LEADER_OR_FOLLOWER …). */
  retried(code: string): void;
  /** The copy loop waited this long for a cluster or for the rate limit. */
  waited(cause: WaitCause, seconds: number): void;
  /** A cluster's quota held our requests back this much longer (the throttle_time_ms of its answers). */
  throttled(cluster: 'source' | 'destination', seconds: number): void;
  /** An exactly-once transaction was committed, taking this long. */
  committed(seconds: number): void;
  /** Reads the bytes written and not yet acknowledged (asked when metrics are collected); null: none any more. */
  inFlight(read: (() => number) | null): void;
}

const ignore = (): void => undefined;

export const noMetrics: MetricsSink = {
  stage: ignore,
  planned: ignore,
  progressed: ignore,
  position: ignore,
  finished: ignore,
  checkpointed: ignore,
  retried: ignore,
  waited: ignore,
  throttled: ignore,
  committed: ignore,
  inFlight: ignore,
};

/** Passes events on, counting the retries among them that name an error code. */
export function countingRetries(onEvent: EventSink, metrics: MetricsSink): EventSink {
  if (metrics === noMetrics) return onEvent;
  return (event) => {
    if (event.type === 'retry' && event.code !== undefined) metrics.retried(event.code);
    onEvent(event);
  };
}

/** Awaits `pending`, adding the time it took to what the copy waited for `cause`. */
export async function timedWait<T>(metrics: MetricsSink, cause: WaitCause, pending: Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await pending;
  } finally {
    metrics.waited(cause, (performance.now() - started) / 1000);
  }
}
