// OAUTHBEARER with the OIDC client credentials grant against a broker of its own that validates
// tokens with Kafka's OAuthBearerValidatorCallbackHandler, and a token and JWKS endpoint served
// here. The destination is the shared (unsecured) test destination.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { copyPlan, createPlan, KrerouteError, verifyPlan, type ClientSettings, type PlanRequest } from '../../src/index.ts';
import { readClientProperties } from '../../src/config/properties.ts';
import { KafkaCluster } from '../../src/kafka/client/cluster.ts';
import { getTestClusters } from '../support/clusters.ts';
import { stateDir } from '../support/engine.ts';
import { type OidcProvider, startOidcProvider } from '../support/oidc-provider.ts';
import { type SecuredBroker, startSecuredBroker } from '../support/secured-broker.ts';

const CLIENT_ID = 'kreroute-copier';
const CLIENT_SECRET = `client-secret-${randomBytes(8).toString('hex')}`;
const ADMIN_PASSWORD = `admin-pw-${randomBytes(8).toString('hex')}`;

let oidc: OidcProvider | undefined;
let broker: SecuredBroker | undefined;
let dir: string | undefined;

before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'kreroute-oauth-'));
    // The principal is User:admin, the broker's super user: this file tests authentication, not ACLs.
    oidc = await startOidcProvider({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, subject: 'admin' });
    broker = await startSecuredBroker('oauth', {
      superUser: 'admin',
      saslPlainUsers: { admin: ADMIN_PASSWORD },
      oauthBearer: { jwksEndpointUrl: oidc.jwksUrl, expectedAudience: oidc.audience },
      maxReauthMs: 300_000,
    });
  },
  { timeout: 120_000 },
);

after(
  async () => {
    await broker?.stop();
    await oidc?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

const everything = { from: { kind: 'earliest' }, to: { kind: 'latest' } } as const satisfies Partial<PlanRequest>;
const destination = (): ClientSettings => ({ bootstrap: [getTestClusters().destination] });

/** The source as a Kafka client .properties file configures it, read the way the CLI reads it. */
async function oauthSource(secret = CLIENT_SECRET): Promise<ClientSettings> {
  assert.ok(broker && oidc && dir);
  const file = join(dir, `source-${randomBytes(4).toString('hex')}.properties`);
  await writeFile(
    file,
    [
      `bootstrap.servers=${broker.cluster.bootstrap}`,
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=OAUTHBEARER',
      'sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
      `sasl.oauthbearer.token.endpoint.url=${oidc.tokenUrl}`,
      `sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="${CLIENT_ID}" clientSecret="${secret}" scope="kafka";`,
      '',
    ].join('\n'),
  );
  const properties = await readClientProperties(file);
  assert.deepEqual(properties.warnings, []);
  return { bootstrap: [broker.cluster.bootstrap], ...properties.settings, connectTimeoutMs: 5_000 };
}

const failsWithAuth = (pattern: RegExp, secrets: string[]) => (error: unknown) => {
  assert.ok(error instanceof KrerouteError, `a KrerouteError, got ${inspect(error, { depth: 1 })}`);
  assert.equal(error.code, 'AUTH', error.oneLine());
  assert.equal(error.exitCode, 3);
  const line = error.oneLine();
  assert.match(line, pattern);
  assert.ok(!line.includes('\n'), `one line: ${JSON.stringify(line)}`);
  const everythingPrinted = `${line}\n${inspect(error, { depth: 20 })}`;
  for (const secret of secrets) assert.ok(!everythingPrinted.includes(secret), 'no secret or token in the error or its causes');
  return true;
};

async function planFails(kind: OidcProvider['kind'], pattern: RegExp, secret = CLIENT_SECRET): Promise<void> {
  assert.ok(broker && oidc);
  const topic = await broker.seededTopic(`oauth-${kind}`);
  oidc.kind = kind;
  const before = oidc.issued.length;
  const started = Date.now();
  try {
    await assert.rejects(createPlan({ ...everything, topics: [topic], source: await oauthSource(secret), destination: destination() }), (error) =>
      failsWithAuth(pattern, [CLIENT_SECRET, secret, ...oidc!.issued.slice(before)])(error),
    );
  } finally {
    oidc.kind = 'good';
  }
  assert.ok(Date.now() - started < 30_000, `gave up after ${Date.now() - started} ms`);
}

test('a client credentials login copies and verifies', async () => {
  assert.ok(broker);
  const topic = await broker.seededTopic('oauth-good', 2, 25);
  const source = await oauthSource();
  const state = await stateDir('oauth-good');
  const plan = await createPlan({ ...everything, topics: [topic], source, destination: destination(), createTopics: true });
  assert.equal(plan.source.clusterId, broker.cluster.clusterId);
  const copied = await copyPlan(plan, { source, destination: destination(), stateDir: state });
  assert.equal(copied.records, 50);
  assert.equal((await verifyPlan(plan, { source, destination: destination(), stateDir: state })).passed, true);
});

test('a wrong client secret is refused by the token endpoint: AUTH, one line', async () => {
  await planFails('good', /token endpoint .* refused the request \(HTTP 401, invalid_client\)/, `wrong-secret-${randomBytes(6).toString('hex')}`);
});

test('an expired token: AUTH, one line', async () => {
  await planFails('expired', /access token that expired at/);
});

test('a token signed by a key the broker does not trust: AUTH, one line', async () => {
  await planFails('wrong-key', /broker refused the OAuth token \(invalid_token/);
});

test('a token for another audience: AUTH, one line naming the audience', async () => {
  await planFails('wrong-audience', /broker refused the OAuth token \(invalid_token; token audience "someone-else"/);
});

test('tokens that expire during a long copy are refreshed and the broker re-authenticates the connections', { timeout: 110_000 }, async () => {
  assert.ok(broker && oidc);
  const topic = await broker.seededTopic('oauth-refresh', 1, 180, 6);
  oidc.lifetimeS = 20;
  const probe = new KafkaCluster(await oauthSource(), 'probe');
  try {
    const source = await oauthSource();
    const state = await stateDir('oauth-refresh');
    const plan = await createPlan({ ...everything, topics: [topic], source, destination: destination(), createTopics: true });
    // One connection, used now and then during the copy: it must be re-authenticated (KIP-368), not replaced.
    const connection = await probe.brokerConnection(1);
    let reauthentications = 0;
    let closed = false;
    connection.on('sasl:authentication:extended', () => reauthentications++);
    connection.on('close', () => (closed = true));
    const issuedBefore = oidc.issued.length;
    const started = Date.now();
    let copying = true;
    const poking = (async () => {
      while (copying) {
        await probe.metadata();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    })();
    // 180 records at 6 a second: about 30 s, past the 20 s lifetime of a token.
    const copied = await copyPlan(plan, { source, destination: destination(), stateDir: state, maxRatePerSec: 6 }).finally(() => (copying = false));
    await poking;
    const elapsed = Date.now() - started;
    assert.equal(copied.records, 180);
    assert.ok(elapsed > 25_000, `the copy lasted ${elapsed} ms, past a token's lifetime`);
    assert.ok(
      oidc.issued.length - issuedBefore >= 3,
      `${oidc.issued.length - issuedBefore} tokens fetched during the copy (the copy's, the probe's refresh, the copy's refresh)`,
    );
    assert.ok(reauthentications >= 1, 'the probe connection re-authenticated');
    assert.equal(closed, false, 'the probe connection stayed open');
    assert.equal((await verifyPlan(plan, { source, destination: destination(), stateDir: state })).passed, true);
  } finally {
    oidc.lifetimeS = 3600;
    await probe.close();
  }
});
