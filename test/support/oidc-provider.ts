// A token endpoint (client credentials grant, HTTP Basic client authentication) and a JWKS endpoint
// on 127.0.0.1, signing with jose: the OIDC provider a Kafka broker with
// OAuthBearerValidatorCallbackHandler trusts. Tests switch what the next tokens look like.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';

export type TokenKind = 'good' | 'expired' | 'wrong-key' | 'wrong-audience';

export interface OidcProvider {
  tokenUrl: string;
  jwksUrl: string;
  audience: string;
  issuer: string;
  /** What the next tokens are like; 'good' by default. */
  kind: TokenKind;
  /** Lifetime of the tokens issued, in seconds. */
  lifetimeS: number;
  /** Every access token issued so far. */
  readonly issued: string[];
  close(): Promise<void>;
}

export interface OidcProviderOptions {
  clientId: string;
  clientSecret: string;
  /** The principal the broker sees: User:<subject>. */
  subject: string;
  audience?: string;
  lifetimeS?: number;
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProvider> {
  const trusted = await keyPair('trusted');
  const untrusted = await keyPair('untrusted');
  const jwks = JSON.stringify({ keys: [trusted.jwk] });
  // As Kafka's client sends it by default (sasl.oauthbearer.header.urlencode=false).
  const expectedAuth = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && request.url === '/jwks') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(jwks);
      return;
    }
    if (request.method !== 'POST' || request.url !== '/token') return send(404, { error: 'not_found' });
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      if (request.headers.authorization !== expectedAuth) return send(401, { error: 'invalid_client' });
      if (form.get('grant_type') !== 'client_credentials') return send(400, { error: 'unsupported_grant_type' });
      issue(form.get('scope') ?? undefined).then(
        (token) => send(200, { access_token: token, token_type: 'Bearer', expires_in: provider.lifetimeS }),
        () => send(500, { error: 'server_error' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issue = async (scope: string | undefined): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const { kind } = provider;
    // Past the brokers' default clock skew allowance (30 s).
    const iat = kind === 'expired' ? now - 600 : now;
    const exp = kind === 'expired' ? now - 300 : now + provider.lifetimeS;
    const key = kind === 'wrong-key' ? untrusted : trusted;
    const token = await new SignJWT({ ...(scope ? { scope } : {}) })
      .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid as string })
      .setSubject(options.subject)
      .setIssuer(provider.issuer)
      .setAudience(kind === 'wrong-audience' ? 'someone-else' : provider.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key.privateKey);
    provider.issued.push(token);
    return token;
  };

  const provider: OidcProvider = {
    tokenUrl: `${base}/token`,
    jwksUrl: `${base}/jwks`,
    audience: options.audience ?? 'kafka',
    issuer: base,
    kind: 'good',
    lifetimeS: options.lifetimeS ?? 3600,
    issued: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return provider;
}

async function keyPair(kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}
