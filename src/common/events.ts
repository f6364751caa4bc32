/** What the engine reports while it works; the CLI renders these, a library user may log them. */
export type EngineEvent =
  | { type: 'stage'; stage: 'plan' | 'copy' | 'verify' | 'purge'; message: string }
  | {
      type: 'progress';
      stage: 'plan' | 'copy' | 'verify';
      records: number;
      bytes: number;
      totalRecords: number;
      /** Records per second over the last few seconds. */
      ratePerSec: number;
      bytesPerSec: number;
      etaSeconds: number | null;
      /** A copy: how long the destination's quota held writes back so far (its throttle_time_ms), in ms; absent when never. */
      destinationThrottledMs?: number;
    }
  | { type: 'info'; message: string }
  /** `code`: which warning (WARNING_CODES), stable for scripts; `message` may change. */
  | { type: 'warning'; code: WarningCode; message: string }
  /** `code`: Kafka's error name, when a failed request is tried again (absent for a notice that a broker is slow to answer). */
  | { type: 'retry'; message: string; code?: string }
  /** A worker process of a copy with --workers started, finished or failed (shard "I/N", or "whole"). */
  | { type: 'worker'; shard: string; status: 'started' | 'done' | 'failed'; message: string; pid?: number; code?: string };

/**
 * Every warning kreroute can give, as a stable code (docs/json-output.md says what each means and
 * what to do; docs/json-output.schema.json lists them).
 */
export const WARNING_CODES = [
  'CONFIG_KEYS_IGNORED',
  'STATE_DIR_OF_REPLACED_PLAN',
  'FILTER_MATCHED_NOTHING',
  'DESTINATION_DISPLACED',
  'DESTINATION_LOSS_ACCEPTED',
  'TRANSACTIONS_REFUSED',
  'CHECKPOINT_LOCAL_ONLY',
  'LOCAL_CHECKPOINT_REPLACED',
  'VERDICT_LOCAL_ONLY',
  'STOPPING',
  'METRICS_PARTITIONS_CAPPED',
  'METRICS_EXPORT_FAILED',
  'LATE_WRITES',
] as const;

export type WarningCode = (typeof WARNING_CODES)[number];

export type EventSink = (event: EngineEvent) => void;

export const ignoreEvents: EventSink = () => undefined;

/** A retry event; `code` (Kafka's error name) when a failed request is tried again. */
export function retryEvent(message: string, code?: string): EngineEvent {
  return code === undefined ? { type: 'retry', message } : { type: 'retry', message, code };
}
