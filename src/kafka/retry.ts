import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriableKafkaError } from './errors.ts';

export interface RetryPolicy {
  /** Give up after this long, in ms, counted from the first failure. */
  deadlineMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  isRetriable?: (error: unknown) => boolean;
  signal?: AbortSignal;
}

export const DEFAULT_RETRY: RetryPolicy = { deadlineMs: 120_000, initialDelayMs: 200, maxDelayMs: 5_000 };

/** Runs op, retrying transient failures with exponential backoff until the deadline. */
export async function withRetry<T>(op: (attempt: number) => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  const isRetriable = policy.isRetriable ?? isRetriableKafkaError;
  let firstFailure: number | undefined;
  let delay = policy.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      firstFailure ??= Date.now();
      const elapsed = Date.now() - firstFailure;
      if (!isRetriable(error) || elapsed + delay > policy.deadlineMs || policy.signal?.aborted) throw error;
      policy.onRetry?.(error, attempt, delay);
      await sleep(delay, undefined, policy.signal ? { signal: policy.signal } : {}).catch(() => undefined);
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
