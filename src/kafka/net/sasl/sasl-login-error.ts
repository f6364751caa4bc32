import type { ErrorCode } from '../../../common/errors.ts';

/**
 * A SASL login that failed on our side of the connection (fetching an OAuth token, finding AWS
 * credentials) or that the broker refused with a reason we can name. It travels through the
 * client library inside its connection errors; toKrerouteError turns it into the user's one line.
 * The message and hint never hold a secret or a token.
 */
export class SaslLoginError extends Error {
  readonly code: Extract<ErrorCode, 'AUTH' | 'UNREACHABLE' | 'CONFIG'>;
  readonly hint: string;

  constructor(code: SaslLoginError['code'], message: string, hint: string) {
    super(message);
    this.name = 'SaslLoginError';
    this.code = code;
    this.hint = hint;
  }
}
