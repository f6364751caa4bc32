/**
 * One error class for everything kreroute reports to a user. The code is stable (documented in
 * docs/errors.md); the exit code tells a script the class of failure without parsing text, and
 * whether running the same command again may help: a retryable code exits with a number of
 * RETRYABLE_EXITS (10–19, or 130/143 for a signal), any other code with a number no retryable
 * code has (2–9, 70). A Kubernetes Job's podFailurePolicy relies on that split.
 */
export const ERROR_CODES = {
  // Fix something first.
  BAD_INPUT: { exit: 2, retryable: false },
  CONFIG: { exit: 2, retryable: false },
  AUTH: { exit: 3, retryable: false },
  UNSUPPORTED: { exit: 3, retryable: false },
  NOT_AUTHORIZED: { exit: 3, retryable: false },
  KAFKA_REFUSED: { exit: 3, retryable: false },
  UNKNOWN_TOPIC: { exit: 4, retryable: false },
  EMPTY_RANGE: { exit: 4, retryable: false },
  DESTINATION_CHECK: { exit: 4, retryable: false },
  DESTINATION_LOSS: { exit: 4, retryable: false },
  OVERLAP: { exit: 4, retryable: false },
  RECORD_TOO_LARGE: { exit: 4, retryable: false },
  PLAN_INVALID: { exit: 5, retryable: false },
  PLAN_MISMATCH: { exit: 5, retryable: false },
  TOPIC_RECREATED: { exit: 5, retryable: false },
  CHECKPOINT_CORRUPT: { exit: 6, retryable: false },
  CHECKPOINT_MISMATCH: { exit: 6, retryable: false },
  CHECKPOINT_TOPIC: { exit: 6, retryable: false },
  SOURCE_TRUNCATED: { exit: 7, retryable: false },
  DESTINATION_TRUNCATED: { exit: 7, retryable: false },
  SOURCE_CORRUPT: { exit: 7, retryable: false },
  RESUME_CONFLICT: { exit: 7, retryable: false },
  FENCED: { exit: 7, retryable: false },
  VERIFY_FAILED: { exit: 8, retryable: false },
  NOT_VERIFIED: { exit: 9, retryable: false },
  PURGE_UNSAFE: { exit: 9, retryable: false },
  INTERNAL: { exit: 70, retryable: false },
  // Running the same command again may help.
  UNREACHABLE: { exit: 10, retryable: true },
  WAIT_TIMEOUT: { exit: 11, retryable: true },
  READ_STALLED: { exit: 11, retryable: true },
  KAFKA: { exit: 12, retryable: true },
  COPY_FAILED: { exit: 13, retryable: true },
  TRANSACTION_ABORTED: { exit: 13, retryable: true },
  CHECKPOINT_UNSTABLE: { exit: 14, retryable: true },
  INTERRUPTED: { exit: 130, retryable: true },
} as const satisfies Record<string, { exit: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The exit numbers after which running the same command again may help: 10–19, and a stop by SIGINT (130) or SIGTERM (143). */
export function isRetryableExit(exit: number): boolean {
  return (exit >= 10 && exit <= 19) || exit === 130 || exit === 143;
}

export class KrerouteError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'KrerouteError';
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  /** The one line a user sees: what is wrong, then what to do. */
  oneLine(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }
}

export function isKrerouteError(error: unknown): error is KrerouteError {
  return error instanceof KrerouteError;
}
