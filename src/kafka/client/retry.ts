import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriableKafkaError, protocolErrorIds } from './errors.ts';

export interface RetryPolicy {
  /** Give up after this long, in ms, counted from the first failure. */
  deadlineMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  isRetriable?: (error: unknown) => boolean;
  /** Failures that clear within milliseconds (see Backoff). */
  isQuick?: (error: unknown) => boolean;
  signal?: AbortSignal;
}

export const DEFAULT_RETRY: RetryPolicy = { deadlineMs: 120_000, initialDelayMs: 200, maxDelayMs: 5_000 };

/** DEFAULT_RETRY, with the deadline the user set for waits on this cluster (--wait-timeout), if any. */
export function clusterRetry(settings: { waitTimeoutMs?: number | undefined } | undefined): RetryPolicy {
  return settings?.waitTimeoutMs === undefined ? DEFAULT_RETRY : { ...DEFAULT_RETRY, deadlineMs: settings.waitTimeoutMs };
}
export const QUICK_RETRY_MS = 20;
export const QUICK_RETRIES = 10;

/**
 * The waits between the tries of one operation: `initialMs`, doubled after each retry up to
 * `maxMs`. A failure that clears within milliseconds (a transaction still being finished) waits
 * QUICK_RETRY_MS instead, without backing off and without being reported, for the first
 * QUICK_RETRIES of them.
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #delayMs: number;
  #quickRetries = 0;

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
    this.#delayMs = initialMs;
  }

  /** How long to wait before the next try, and whether the retry is worth telling the user. */
  next(quick: boolean): { waitMs: number; reported: boolean } {
    if (quick && this.#quickRetries < QUICK_RETRIES) {
      this.#quickRetries++;
      return { waitMs: QUICK_RETRY_MS, reported: false };
    }
    const waitMs = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#maxMs);
    return { waitMs, reported: true };
  }

  /** After a success: the next failure starts over. */
  reset(): void {
    this.#delayMs = this.#initialMs;
    this.#quickRetries = 0;
  }
}

/** Runs op, retrying transient failures with exponential backoff until the deadline. */
export async function withRetry<T>(op: (attempt: number) => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const isRetriable = policy.isRetriable ?? isRetriableKafkaError;
  const backoff = new Backoff(policy.initialDelayMs, policy.maxDelayMs);
  let firstFailure: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      firstFailure ??= Date.now();
      const elapsed = Date.now() - firstFailure;
      const next = backoff.next(policy.isQuick?.(error) === true);
      // The last try comes at the deadline, not a backoff before it: a bound of 20 s waits 20 s.
      const remaining = policy.deadlineMs - elapsed;
      if (!isRetriable(error) || remaining <= 0 || policy.signal?.aborted) throw error;
      const waitMs = Math.min(next.waitMs, remaining);
      if (next.reported) policy.onRetry?.(error, attempt, waitMs);
      await sleep(waitMs, undefined, policy.signal ? { signal: policy.signal } : {}).catch(() => undefined);
    }
  }
}

/** The name a retry is counted under: Kafka's error name, else the client's error code (a broken connection). */
export function retryCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return protocolErrorIds(error)[0] ?? (typeof code === 'string' ? code : 'UNKNOWN');
}
