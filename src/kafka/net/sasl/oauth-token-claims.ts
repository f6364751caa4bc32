import { decodeJwt } from 'jose';
import { SaslLoginError } from './sasl-login-error.ts';

export interface TokenClaims {
  expiresAtMs: number;
  issuedAtMs?: number;
  audience?: string;
  issuer?: string;
}

const HINT = "check the token endpoint's settings for this client: Kafka brokers take JWT access tokens with exp and sub claims";

/**
 * The claims kreroute needs of an access token, checked as Kafka's client does before it sends
 * one (ClientJwtValidator): a JWT, not expired, with a subject. The signature is the broker's to
 * check. `expiresInS` (the token response's expires_in) stands in for a missing exp.
 */
export function readTokenClaims(token: string, nowMs: number, expiresInS?: number): TokenClaims {
  let payload: ReturnType<typeof decodeJwt>;
  try {
    payload = decodeJwt(token);
  } catch {
    throw new SaslLoginError('AUTH', 'the OAuth token endpoint returned an access token that is not a JWT', HINT);
  }
  const expiresAtMs = typeof payload.exp === 'number' ? payload.exp * 1000 : expiresInS !== undefined ? nowMs + expiresInS * 1000 : undefined;
  if (expiresAtMs === undefined) throw new SaslLoginError('AUTH', 'the OAuth access token has no exp claim', HINT);
  if (expiresAtMs <= nowMs) {
    throw new SaslLoginError(
      'AUTH',
      `the OAuth token endpoint returned an access token that expired at ${new Date(expiresAtMs).toISOString()}`,
      "check the token endpoint's token lifetime and this machine's clock",
    );
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new SaslLoginError('AUTH', 'the OAuth access token has no sub claim', HINT);
  const claims: TokenClaims = { expiresAtMs };
  if (typeof payload.iat === 'number') claims.issuedAtMs = payload.iat * 1000;
  const audience = Array.isArray(payload.aud) ? payload.aud.join(' ') : payload.aud;
  if (audience) claims.audience = `"${audience}"`;
  if (payload.iss) claims.issuer = `"${payload.iss}"`;
  return claims;
}
