import { setTimeout as sleep } from 'node:timers/promises';
import { isRetriableKafkaError } from './errors.ts';

export interface RetryPolicy {
  /** Give up after this long, in ms, counted from the first failure. */
  deadlineMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  isRetriable?: (error: unknown) => boolean;
  /** Failures that clear within milliseconds: the first QUICK_RETRIES are retried after QUICK_RETRY_MS, without notice or backing off. */
  isQuick?: (error: unknown) => boolean;
  signal?: AbortSignal;
}

export const DEFAULT_RETRY: RetryPolicy = { deadlineMs: 120_000, initialDelayMs: 200, maxDelayMs: 5_000 };
export const QUICK_RETRY_MS = 20;
export const QUICK_RETRIES = 10;

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
      const quick = attempt <= QUICK_RETRIES && policy.isQuick?.(error) === true;
      const wait = quick ? QUICK_RETRY_MS : delay;
      if (!isRetriable(error) || elapsed + wait > policy.deadlineMs || policy.signal?.aborted) throw error;
      if (!quick) policy.onRetry?.(error, attempt, wait);
      await sleep(wait, undefined, policy.signal ? { signal: policy.signal } : {}).catch(() => undefined);
      if (!quick) delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
