import { setTimeout as sleep } from 'node:timers/promises';
import { KrerouteError } from '../../common/errors.ts';

/** After this long without an answer, a request is reported as waiting (and again every as long). */
export const WAIT_NOTICE_MS = 5_000;

/**
 * How long any one wait may last unless the user says otherwise (--wait-timeout). Longer than
 * what a healthy cluster makes us wait: a leader election or a coordinator loading its log (seconds
 * to a minute), another producer's transaction at Kafka's default timeout (60 s) and the
 * coordinator's check that aborts it (every 10 s), the 120 s retry deadline of a failing request.
 * Short enough that a stuck job says so within minutes, not at the next morning's check.
 */
export const DEFAULT_WAIT_TIMEOUT_MS = 5 * 60_000;

/**
 * Reports, every WAIT_NOTICE_MS while `pending` is unsettled, that we are still waiting for it.
 * A broker that stops answering (paused, partitioned away) gives no error until the request times
 * out, 30 s later; the user should not watch a frozen progress bar that long without a word.
 */
export async function withWaitNotice<T>(pending: Promise<T>, notice: (waitedMs: number) => void, everyMs = WAIT_NOTICE_MS): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => notice(Date.now() - started), everyMs);
  timer.unref();
  try {
    return await pending;
  } finally {
    clearInterval(timer);
  }
}

/** A wait that is told to the user and ends. */
export interface WaitBound {
  /** Gives up after this long (ms). */
  timeoutMs: number;
  /** Hears, every WAIT_NOTICE_MS, "waiting for …". */
  notice?: ((message: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** "1 m 30 s", "12 s". */
export function formatWait(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)} m${seconds % 60 ? ` ${seconds % 60} s` : ''}` : `${seconds} s`;
}

export function waitTimedOut(what: string, waitedMs: number, cause?: unknown): KrerouteError {
  return new KrerouteError('WAIT_TIMEOUT', `gave up after waiting ${formatWait(waitedMs)} for ${what}`, {
    hint: 'find out why it does not end (the line says what was waited for), or allow longer with --wait-timeout',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * `pending`, reported every WAIT_NOTICE_MS as "waiting for <what> (N s)" and failed with
 * WAIT_TIMEOUT after `bound.timeoutMs`. What `pending` was doing is left to run out on its own.
 */
export function boundedWait<T>(pending: Promise<T>, what: string, bound: WaitBound): Promise<T> {
  const started = Date.now();
  return new Promise<T>((resolve, reject) => {
    const notices = setInterval(() => bound.notice?.(`waiting for ${what} (${formatWait(Date.now() - started)})`), WAIT_NOTICE_MS);
    const deadline = setTimeout(() => finish(() => reject(waitTimedOut(what, Date.now() - started))), bound.timeoutMs);
    notices.unref();
    deadline.unref();
    const onAbort = () => finish(() => reject(bound.signal?.reason));
    bound.signal?.addEventListener('abort', onAbort, { once: true });
    function finish(settle: () => void): void {
      clearInterval(notices);
      clearTimeout(deadline);
      bound.signal?.removeEventListener('abort', onAbort);
      settle();
    }
    pending.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/**
 * Asks `check` every `pollMs` until it gives a value. Every WAIT_NOTICE_MS the user hears
 * "waiting for <what()>" (what() says what it is waiting for now); after `bound.timeoutMs`, WAIT_TIMEOUT.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, what: () => string, bound: WaitBound & { pollMs?: number }): Promise<T> {
  const started = Date.now();
  let lastNotice = started;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const now = Date.now();
    if (now - started >= bound.timeoutMs) throw waitTimedOut(what(), now - started);
    if (now - lastNotice >= WAIT_NOTICE_MS) {
      lastNotice = now;
      bound.notice?.(`waiting for ${what()} (${formatWait(now - started)})`);
    }
    if (bound.signal?.aborted) throw bound.signal.reason;
    await sleep(Math.min(bound.pollMs ?? 500, Math.max(1, started + bound.timeoutMs - now)), undefined, bound.signal ? { signal: bound.signal } : {}).catch(
      () => undefined,
    );
  }
}
