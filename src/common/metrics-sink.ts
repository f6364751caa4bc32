import type { EventSink } from './events.ts';

export type JobStage = 'plan' | 'copy' | 'verify' | 'purge';
/** The stages that go through partitions record by record. */
export type MeteredStage = 'copy' | 'verify';
/** What a copy waits for: an answer from a cluster, or its --max-rate. */
export type WaitCause = 'source' | 'destination' | 'rate-limit';

/**
 * What the engine measures while it works, for a monitoring system (the CLI's --metrics-port
 * feeds Prometheus). Partitions are the plan's source partitions. Every call is cheap and
 * synchronous; the default, noMetrics, drops everything.
 */
export interface MetricsSink {
  /** The job entered a stage. */
  stage(stage: JobStage): void;
  /** A partition the stage will go through: what the plan expects there, and what earlier runs did already. */
  planned(stage: MeteredStage, topic: string, partition: number, expected: { records: number; bytes: number }, doneBefore: number): void;
  /** Records and bytes done in a partition (copy: acknowledged by the destination; verify: read and compared). */
  progressed(stage: MeteredStage, topic: string, partition: number, records: number, bytes: number): void;
  /** Nothing remains of a partition, whatever the plan expected (a filter, compaction, aborted records). */
  finished(stage: MeteredStage, topic: string, partition: number): void;
  /** Records and bytes per second over the last few seconds. */
  rate(stage: MeteredStage, recordsPerSec: number, bytesPerSec: number): void;
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
  finished: ignore,
  rate: ignore,
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
