/**
 * One error class for everything kreroute reports to a user. The code is stable (documented in
 * docs/errors.md); the exit code tells a script the class of failure without parsing text.
 */
export const ERROR_CODES = {
  BAD_INPUT: { exit: 2, retryable: false },
  CONFIG: { exit: 2, retryable: false },
  UNREACHABLE: { exit: 3, retryable: true },
  AUTH: { exit: 3, retryable: false },
  UNSUPPORTED: { exit: 3, retryable: false },
  NOT_AUTHORIZED: { exit: 3, retryable: false },
  UNKNOWN_TOPIC: { exit: 4, retryable: false },
  EMPTY_RANGE: { exit: 4, retryable: false },
  DESTINATION_CHECK: { exit: 4, retryable: false },
  DESTINATION_LOSS: { exit: 4, retryable: false },
  PLAN_INVALID: { exit: 5, retryable: false },
  PLAN_MISMATCH: { exit: 5, retryable: false },
  TOPIC_RECREATED: { exit: 5, retryable: false },
  OVERLAP: { exit: 4, retryable: false },
  CHECKPOINT_CORRUPT: { exit: 6, retryable: false },
  CHECKPOINT_MISMATCH: { exit: 6, retryable: false },
  CHECKPOINT_UNSTABLE: { exit: 6, retryable: true },
  CHECKPOINT_TOPIC: { exit: 6, retryable: false },
  RECORD_TOO_LARGE: { exit: 4, retryable: false },
  SOURCE_TRUNCATED: { exit: 7, retryable: false },
  SOURCE_CORRUPT: { exit: 7, retryable: false },
  COPY_FAILED: { exit: 7, retryable: true },
  RESUME_CONFLICT: { exit: 7, retryable: false },
  FENCED: { exit: 7, retryable: false },
  TRANSACTION_ABORTED: { exit: 7, retryable: true },
  VERIFY_FAILED: { exit: 8, retryable: false },
  NOT_VERIFIED: { exit: 9, retryable: false },
  PURGE_UNSAFE: { exit: 9, retryable: false },
  KAFKA: { exit: 10, retryable: true },
  WAIT_TIMEOUT: { exit: 10, retryable: true },
  READ_STALLED: { exit: 10, retryable: true },
  INTERRUPTED: { exit: 130, retryable: true },
  INTERNAL: { exit: 70, retryable: false },
} as const satisfies Record<string, { exit: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

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
