// OAUTHBEARER and AWS_MSK_IAM as a Kafka client .properties file configures them.
import assert from 'node:assert/strict';
import test from 'node:test';
import { clientPropertiesFrom } from '../../../src/config/properties.ts';
import { KrerouteError } from '../../../src/common/errors.ts';

const FILE = 'client.properties';
const OAUTH_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';
const IAM_MODULE = 'software.amazon.msk.auth.iam.IAMLoginModule';

const read = (lines: string[]) =>
  clientPropertiesFrom(
    lines.map((line, i) => ({ key: line.slice(0, line.indexOf('=')), value: line.slice(line.indexOf('=') + 1), line: i + 1 })),
    FILE,
  );

async function refused(lines: string[], mentions: RegExp[], secrets: string[] = []): Promise<void> {
  await assert.rejects(read(lines), (error: unknown) => {
    assert.ok(error instanceof KrerouteError);
    assert.equal(error.code, 'CONFIG');
    const line = error.oneLine();
    assert.ok(!line.includes('\n'));
    for (const m of mentions) assert.match(line, m);
    for (const s of secrets) assert.ok(!line.includes(s), `leaks a secret: ${line}`);
    return true;
  });
}

const OAUTH = ['security.protocol=SASL_SSL', 'sasl.mechanism=OAUTHBEARER', 'sasl.oauthbearer.token.endpoint.url=https://idp.example/oauth2/token'];

test('OAUTHBEARER with the client credentials in the JAAS options (Kafka 3.x style)', async () => {
  const { settings, warnings } = await read([
    ...OAUTH,
    'sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
    `sasl.jaas.config=${OAUTH_MODULE} required clientId="mover" clientSecret="s3cr3t" scope="kafka.read" extension_logicalCluster="lkc-1";`,
  ]);
  assert.deepEqual(warnings, []);
  assert.deepEqual(settings.sasl, {
    mechanism: 'OAUTHBEARER',
    oauth: {
      tokenEndpointUrl: 'https://idp.example/oauth2/token',
      clientId: 'mover',
      clientSecret: 's3cr3t',
      scope: 'kafka.read',
      extensions: { logicalCluster: 'lkc-1' },
      refreshWindowFactor: 0.8,
    },
  });
});

test('OAUTHBEARER with the Kafka 4.x keys, which win over the JAAS options; refresh factor and timeouts', async () => {
  const { settings } = await read([
    ...OAUTH,
    'sasl.oauthbearer.client.credentials.client.id=mover',
    'sasl.oauthbearer.client.credentials.client.secret=s3cr3t',
    'sasl.oauthbearer.scope=kafka',
    'sasl.login.refresh.window.factor=0.9',
    'sasl.login.connect.timeout.ms=2000',
    'sasl.login.read.timeout.ms=3000',
    'sasl.oauthbearer.header.urlencode=true',
    'sasl.oauthbearer.expected.audience=kafka',
    `sasl.jaas.config=${OAUTH_MODULE} required clientId="old";`,
  ]);
  assert.deepEqual(settings.sasl, {
    mechanism: 'OAUTHBEARER',
    oauth: {
      tokenEndpointUrl: 'https://idp.example/oauth2/token',
      clientId: 'mover',
      clientSecret: 's3cr3t',
      scope: 'kafka',
      refreshWindowFactor: 0.9,
      headerUrlencode: true,
      requestTimeoutMs: 5000,
    },
  });
});

test('OAUTHBEARER without what it needs is refused, naming the key and never the secret', async () => {
  await refused(
    ['security.protocol=SASL_SSL', 'sasl.mechanism=OAUTHBEARER', `sasl.jaas.config=${OAUTH_MODULE} required unsecuredLoginStringClaim_sub="alice";`],
    [/sasl\.oauthbearer\.token\.endpoint\.url/, /unsecured tokens are out of scope/],
  );
  await refused([...OAUTH, `sasl.jaas.config=${OAUTH_MODULE} required unsecuredLoginStringClaim_sub="alice";`], [/unsecured/, /out of scope/]);
  await refused([...OAUTH, `sasl.jaas.config=${OAUTH_MODULE} required clientSecret="hush-1";`], [/clientId/], ['hush-1']);
  await refused([...OAUTH, `sasl.jaas.config=${OAUTH_MODULE} required clientId="mover";`], [/clientSecret/]);
  await refused(
    [...OAUTH, `sasl.jaas.config=${OAUTH_MODULE} required clientId="mover" clientSecret="hush-2" clientSecert="hush-3";`],
    [/clientSecert/],
    ['hush-2', 'hush-3'],
  );
  await refused(
    [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=OAUTHBEARER',
      'sasl.oauthbearer.token.endpoint.url=file:///tmp/token.jwt',
      `sasl.jaas.config=${OAUTH_MODULE} required;`,
    ],
    [/file: URL/],
  );
  await refused(
    [...OAUTH, 'sasl.oauthbearer.assertion.file=/tmp/a.jwt', `sasl.jaas.config=${OAUTH_MODULE} required clientId="m";`],
    [/sasl\.oauthbearer\.assertion\.file/, /client assertions/],
  );
  await refused(
    [...OAUTH, 'sasl.login.refresh.window.factor=0.2', `sasl.jaas.config=${OAUTH_MODULE} required clientId="m" clientSecret="s";`],
    [/0\.5 to 1\.0/],
  );
  await refused(
    [...OAUTH, 'sasl.login.callback.handler.class=com.example.Handler', `sasl.jaas.config=${OAUTH_MODULE} required clientId="m" clientSecret="s";`],
    [/sasl\.login\.callback\.handler\.class/],
  );
});

test('AWS_MSK_IAM as the Java client configures it', async () => {
  const base = [
    'security.protocol=SASL_SSL',
    'sasl.mechanism=AWS_MSK_IAM',
    'sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler',
  ];
  assert.deepEqual((await read([...base, `sasl.jaas.config=${IAM_MODULE} required;`])).settings.sasl, { mechanism: 'AWS_MSK_IAM', aws: {} });
  const full = await read([
    ...base,
    `sasl.jaas.config=${IAM_MODULE} required awsProfileName="prod" awsRoleArn="arn:aws:iam::123456789012:role/mover" awsRoleSessionName="kr" awsStsRegion="eu-west-1" awsDebugCreds=true;`,
  ]);
  assert.deepEqual(full.settings.sasl, {
    mechanism: 'AWS_MSK_IAM',
    aws: { profile: 'prod', roleArn: 'arn:aws:iam::123456789012:role/mover', roleSessionName: 'kr', stsRegion: 'eu-west-1' },
  });
  await refused([...base, `sasl.jaas.config=${OAUTH_MODULE} required;`], [/cannot be used with sasl\.mechanism=AWS_MSK_IAM/, /IAMLoginModule/]);
  await refused([...base, `sasl.jaas.config=${IAM_MODULE} required awsProfile="x";`], [/awsProfile\b/]);
  await refused(
    [
      'security.protocol=SASL_SSL',
      'sasl.mechanism=AWS_MSK_IAM',
      'sasl.client.callback.handler.class=com.example.Other',
      `sasl.jaas.config=${IAM_MODULE} required;`,
    ],
    [/sasl\.client\.callback\.handler\.class/],
  );
});
