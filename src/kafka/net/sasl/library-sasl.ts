import { allowedSASLMechanisms, type SASLCustomAuthenticator, type SASLOptions } from '@platformatic/kafka';
import type { SaslSettings } from './sasl-settings.ts';
import { MskIamLogin } from './msk-iam-login.ts';
import { OAuthTokenSource } from './oauth-token-source.ts';
import { SaslLoginError } from './sasl-login-error.ts';

/**
 * The client library's SASL options for one cluster. The library speaks PLAIN and SCRAM itself;
 * for OAUTHBEARER it takes a token provider, called at every (re-)authentication, and re-authenticates
 * when the broker's session lifetime (KIP-368) is 80% spent. AWS_MSK_IAM it does not know: it
 * refuses a mechanism missing from its list before the handshake, so the name is added to that
 * list and the payload is sent by a custom authenticator.
 */
export function librarySaslOptions(sasl: SaslSettings): SASLOptions {
  switch (sasl.mechanism) {
    case 'OAUTHBEARER': {
      const source = new OAuthTokenSource(sasl.oauth);
      return {
        mechanism: 'OAUTHBEARER',
        token: () => source.token(),
        ...(sasl.oauth.extensions ? { oauthBearerExtensions: sasl.oauth.extensions } : {}),
        authBytesValidator: (authBytes, callback) => {
          const status = oauthErrorStatus(authBytes);
          if (status === undefined) callback(null, authBytes);
          else
            callback(
              new SaslLoginError(
                'AUTH',
                `the broker refused the OAuth token (${status}; ${source.describeHeld()})`,
                "check that the broker's sasl.oauthbearer.expected.audience and issuer match the token and that it trusts the token endpoint's signing keys (sasl.oauthbearer.jwks.endpoint.url)",
              ),
            );
        },
      };
    }
    case 'AWS_MSK_IAM': {
      if (!allowedSASLMechanisms.includes(MSK_IAM)) (allowedSASLMechanisms as string[]).push(MSK_IAM);
      const login = new MskIamLogin(sasl.aws);
      const authenticate: SASLCustomAuthenticator = (_mechanism, connection, authenticateApi, _username, _password, _token, callback) => {
        login.payload(connection.host ?? '').then(
          (payload) => authenticateApi(connection, payload, callback),
          (error: unknown) => callback(error as Error, undefined as never),
        );
      };
      return { mechanism: MSK_IAM, authenticate };
    }
    default:
      return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
  }
}

const MSK_IAM = 'AWS_MSK_IAM' as SASLOptions['mechanism'];

/**
 * A broker that refuses an OAUTHBEARER token answers with an RFC 7628 error (`{"status":"invalid_token",…}`)
 * instead of failing the request; the library would take that for success.
 */
function oauthErrorStatus(authBytes: Buffer): string | undefined {
  if (authBytes.length === 0) return undefined;
  try {
    const parsed = JSON.parse(authBytes.toString('utf8')) as { status?: unknown };
    return typeof parsed.status === 'string' ? parsed.status.replace(/[^\w.-]/g, '') : undefined;
  } catch {
    return undefined;
  }
}
