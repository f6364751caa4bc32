// AWS_MSK_IAM through the client library's connection and kreroute's own, against a peer that
// records what it is sent: the library does not know the mechanism, so this checks the hook kreroute adds.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Connection } from '@platformatic/kafka';
import { KrerouteError } from '../../../../../src/common/errors.ts';
import { KafkaCluster } from '../../../../../src/kafka/client/cluster.ts';
import { librarySaslOptions } from '../../../../../src/kafka/net/sasl/library-sasl.ts';
import { RawConnection } from '../../../../../src/kafka/net/raw-connection.ts';
import { authenticateRaw } from '../../../../../src/kafka/net/raw-sasl.ts';
import { saslMechanism } from '../../../../../src/kafka/net/sasl-mechanism.ts';
import { SaslPeer } from '../../../../support/sasl-peer.ts';

const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const saved = { ...process.env };
let peer: SaslPeer;

before(async () => {
  // The standard chain's first source: the environment (no profile, no instance metadata reached).
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_SESSION_TOKEN: 'session-EXAMPLE',
    AWS_REGION: 'eu-west-1',
  });
  peer = await SaslPeer.start();
});

after(async () => {
  process.env = saved;
  await peer.close();
});

test('the library connection hands over AWS_MSK_IAM and a signed payload of the environment credentials', async () => {
  peer.refuseWith = undefined;
  const connection = new Connection('kreroute-test', { sasl: librarySaslOptions({ mechanism: 'AWS_MSK_IAM', aws: {} }), connectTimeout: 5_000 });
  try {
    await connection.connect('127.0.0.1', peer.port);
  } finally {
    await connection.close();
  }
  assert.equal(peer.mechanisms.at(-1), 'AWS_MSK_IAM');
  const payload = JSON.parse((peer.authBytes.at(-1) as Buffer).toString('utf8')) as Record<string, string>;
  assert.equal(payload['version'], '2020_10_22');
  assert.equal(payload['host'], '127.0.0.1');
  assert.equal(payload['action'], 'kafka-cluster:Connect');
  assert.match(payload['x-amz-credential'] as string, /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/);
  assert.equal(payload['x-amz-security-token'], 'session-EXAMPLE');
  assert.match(payload['x-amz-signature'] as string, /^[0-9a-f]{64}$/);
  assert.ok(!JSON.stringify(payload).includes(SECRET_KEY));
});

test('kreroute’s own connection logs in with AWS_MSK_IAM too, signing the host it connects to', async () => {
  peer.refuseWith = undefined;
  const mechanism = saslMechanism(librarySaslOptions({ mechanism: 'AWS_MSK_IAM', aws: {} }));
  assert.ok(mechanism);
  const connection = await RawConnection.connect({
    host: '127.0.0.1',
    port: peer.port,
    clientId: 'kreroute-test',
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
  });
  try {
    await authenticateRaw(connection, mechanism, { host: '127.0.0.1', port: peer.port });
  } finally {
    connection.close();
  }
  assert.equal(peer.mechanisms.at(-1), 'AWS_MSK_IAM');
  const payload = JSON.parse((peer.authBytes.at(-1) as Buffer).toString('utf8')) as Record<string, string>;
  assert.equal(payload['host'], '127.0.0.1');
  assert.equal(payload['action'], 'kafka-cluster:Connect');
  assert.match(payload['x-amz-signature'] as string, /^[0-9a-f]{64}$/);
});

test('a refused AWS_MSK_IAM login is AUTH, one line, without the secret key', async () => {
  peer.refuseWith = '[abc-123]: Access denied';
  const cluster = new KafkaCluster({ bootstrap: [`127.0.0.1:${peer.port}`], sasl: { mechanism: 'AWS_MSK_IAM', aws: {} }, connectTimeoutMs: 5_000 }, 'msk');
  try {
    await assert.rejects(cluster.metadata(), (error: unknown) => {
      assert.ok(error instanceof KrerouteError);
      assert.equal(error.code, 'AUTH', error.oneLine());
      assert.ok(!error.oneLine().includes('\n'));
      assert.ok(!error.oneLine().includes(SECRET_KEY));
      return true;
    });
  } finally {
    await cluster.close();
  }
});

test('without a region from the host name or AWS_REGION the login is a CONFIG error naming AWS_REGION', async () => {
  delete process.env['AWS_REGION'];
  delete process.env['AWS_DEFAULT_REGION'];
  const cluster = new KafkaCluster({ bootstrap: [`127.0.0.1:${peer.port}`], sasl: { mechanism: 'AWS_MSK_IAM', aws: {} }, connectTimeoutMs: 5_000 }, 'msk');
  try {
    await assert.rejects(
      cluster.metadata(),
      (error: unknown) => error instanceof KrerouteError && error.code === 'CONFIG' && /AWS_REGION/.test(error.oneLine()),
    );
  } finally {
    process.env['AWS_REGION'] = 'eu-west-1';
    await cluster.close();
  }
});
