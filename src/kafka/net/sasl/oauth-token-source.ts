import * as oidc from 'openid-client';
import type { OAuthClientCredentials } from './sasl-settings.ts';
import { type TokenClaims, readTokenClaims } from './oauth-token-claims.ts';
import { SaslLoginError } from './sasl-login-error.ts';

const DEFAULT_TIMEOUT_MS = 30_000;
const CREDENTIALS_HINT = 'check clientId and clientSecret in sasl.jaas.config (or sasl.oauthbearer.client.credentials.*) and the scope';

interface Held {
  value: string;
  claims: TokenClaims;
  refreshAtMs: number;
}

/**
 * OAUTHBEARER tokens from an OIDC token endpoint (client credentials grant, the client
 * authenticated with HTTP Basic as Kafka's own client does). One token is shared by every
 * connection and replaced once refreshWindowFactor of its lifetime has passed, as Kafka's
 * sasl.login.refresh.window.factor does; the brokers' KIP-368 re-authentication then picks up the
 * new one.
 */
export class OAuthTokenSource {
  readonly #settings: OAuthClientCredentials;
  readonly #now: () => number;
  readonly #config: oidc.Configuration;
  #held: Held | undefined;
  #pending: Promise<Held> | undefined;

  constructor(settings: OAuthClientCredentials, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
    const url = new URL(settings.tokenEndpointUrl);
    this.#config = new oidc.Configuration({ issuer: url.origin, token_endpoint: url.href }, settings.clientId, undefined, kafkaBasicAuth(settings));
    this.#config.timeout = Math.ceil((settings.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000);
    if (url.protocol === 'http:') oidc.allowInsecureRequests(this.#config);
  }

  /** A token that has not reached its refresh time, fetched when needed (one fetch at a time). */
  async token(): Promise<string> {
    const held = this.#held;
    if (held && this.#now() < held.refreshAtMs) return held.value;
    this.#pending ??= this.#fetch().finally(() => (this.#pending = undefined));
    return (await this.#pending).value;
  }

  /** What the broker may have refused in the token last handed out: its audience, issuer and expiry. */
  describeHeld(): string {
    const claims = this.#held?.claims;
    if (!claims) return 'no token was fetched';
    const expired = claims.expiresAtMs <= this.#now() ? ', expired' : '';
    return `token audience ${claims.audience ?? '(none)'}, issuer ${claims.issuer ?? '(none)'}${expired}`;
  }

  async #fetch(): Promise<Held> {
    const parameters: Record<string, string> = this.#settings.scope ? { scope: this.#settings.scope } : {};
    let response: oidc.TokenEndpointResponse;
    try {
      response = await oidc.clientCredentialsGrant(this.#config, parameters);
    } catch (error) {
      throw this.#failure(error);
    }
    const claims = readTokenClaims(response.access_token, this.#now(), response.expires_in);
    const startMs = Math.min(claims.issuedAtMs ?? this.#now(), this.#now());
    const refreshAtMs = startMs + this.#settings.refreshWindowFactor * (claims.expiresAtMs - startMs);
    this.#held = { value: response.access_token, claims, refreshAtMs };
    return this.#held;
  }

  /** One line about a failed token request: the endpoint's OAuth error code, never its text (it may echo what we sent). */
  #failure(error: unknown): SaslLoginError {
    const endpoint = this.#endpoint();
    if (error instanceof oidc.ResponseBodyError) {
      return new SaslLoginError('AUTH', `the OAuth token endpoint ${endpoint} refused the request (HTTP ${error.status}, ${error.error})`, CREDENTIALS_HINT);
    }
    if (error instanceof oidc.WWWAuthenticateChallengeError) {
      return new SaslLoginError('AUTH', `the OAuth token endpoint ${endpoint} refused the client credentials (HTTP ${error.status})`, CREDENTIALS_HINT);
    }
    const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
    const reason = e.cause?.code ?? e.code ?? e.cause?.name ?? e.name ?? 'error';
    if (e.name === 'TypeError' || e.name === 'TimeoutError' || e.name === 'AbortError' || e.cause?.code !== undefined) {
      return new SaslLoginError(
        'UNREACHABLE',
        `cannot reach the OAuth token endpoint ${endpoint} (${reason})`,
        'check sasl.oauthbearer.token.endpoint.url and that the endpoint is reachable from here',
      );
    }
    return new SaslLoginError(
      'AUTH',
      `the OAuth token endpoint ${endpoint} gave an answer kreroute cannot use (${reason})`,
      'check sasl.oauthbearer.token.endpoint.url: it must be the OIDC token endpoint, answering JSON with an access_token',
    );
  }

  /** The endpoint without query or credentials, for messages. */
  #endpoint(): string {
    const url = new URL(this.#settings.tokenEndpointUrl);
    return `${url.origin}${url.pathname}`;
  }
}

/**
 * HTTP Basic as Kafka's ClientSecretRequestFormatter sends it: id and secret as they are, unless
 * sasl.oauthbearer.header.urlencode asks for form encoding. (openid-client's ClientSecretBasic
 * always form-encodes, as RFC 6749 says, which turns "-" into "%2D" and fails at providers that
 * take Kafka's form.)
 */
function kafkaBasicAuth(settings: OAuthClientCredentials): oidc.ClientAuth {
  const encode = (value: string) => (settings.headerUrlencode ? new URLSearchParams({ v: value }).toString().slice(2) : value);
  const credentials = Buffer.from(`${encode(settings.clientId)}:${encode(settings.clientSecret)}`).toString('base64');
  return (_server, _client, _body, headers) => headers.set('authorization', `Basic ${credentials}`);
}
