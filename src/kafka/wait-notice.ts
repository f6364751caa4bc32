/** After this long without an answer, a request is reported as waiting (and again every as long). */
export const WAIT_NOTICE_MS = 5_000;

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
