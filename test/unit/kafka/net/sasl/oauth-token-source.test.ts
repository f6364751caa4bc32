// Token fetching and refresh against a token endpoint served here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KrerouteError } from '../../../../../src/common/errors.ts';
import { toKrerouteError } from '../../../../../src/kafka/client/errors.ts';
import { OAuthTokenSource } from '../../../../../src/kafka/net/sasl/oauth-token-source.ts';
import { type OidcProvider, startOidcProvider } from '../../../../support/oidc-provider.ts';

const SECRET = 'the-client-secret-0f3a';
let provider: OidcProvider;

before(async () => {
  provider = await startOidcProvider({ clientId: 'mover.app-1', clientSecret: SECRET, subject: 'mover', lifetimeS: 100 });
});
after(() => provider.close());

const source = (now: () => number, secret = SECRET) =>
  new OAuthTokenSource({ tokenEndpointUrl: provider.tokenUrl, clientId: 'mover.app-1', clientSecret: secret, scope: 'kafka', refreshWindowFactor: 0.8 }, now);

test('a token is reused until 80% of its lifetime has passed, then replaced', async () => {
  let now = Date.now();
  const tokens = source(() => now);
  const issued = provider.issued.length;
  const first = await tokens.token();
  assert.equal(provider.issued.length, issued + 1);
  now += 70_000;
  assert.equal(await tokens.token(), first, 'at 70% the token is kept');
  assert.equal(provider.issued.length, issued + 1);
  now += 15_000;
  const [second, again] = await Promise.all([tokens.token(), tokens.token()]);
  assert.equal(provider.issued.length, issued + 2, 'at 85% one new token is fetched, shared by callers at the same time');
  assert.equal(again, second);
});

test('a refused client secret is AUTH with the OAuth error code, never the secret', async () => {
  const wrong = 'not-the-secret-77';
  const error = await source(Date.now, wrong)
    .token()
    .then(
      () => assert.fail('a token for a wrong secret'),
      (e: unknown) => toKrerouteError(e, 'logging in'),
    );
  assert.ok(error instanceof KrerouteError);
  assert.equal(error.code, 'AUTH');
  assert.match(error.oneLine(), /HTTP 401, invalid_client/);
  assert.ok(!error.oneLine().includes(wrong) && !error.oneLine().includes(SECRET));
});

test('an unreachable token endpoint is UNREACHABLE, naming the endpoint', async () => {
  const closed = new OAuthTokenSource({
    tokenEndpointUrl: 'http://127.0.0.1:9/token',
    clientId: 'a',
    clientSecret: SECRET,
    refreshWindowFactor: 0.8,
    requestTimeoutMs: 2_000,
  });
  const error = await closed.token().then(
    () => assert.fail('a token from a closed port'),
    (e: unknown) => toKrerouteError(e, 'logging in'),
  );
  assert.equal(error.code, 'UNREACHABLE', error.oneLine());
  assert.match(error.oneLine(), /127\.0\.0\.1:9\/token/);
});
