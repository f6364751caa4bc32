// The AWS_MSK_IAM payload against signatures computed independently, once, with Python's botocore
// (SigV4QueryAuth, service kafka-cluster, expires=900, for GET https://HOST/?Action=kafka-cluster%3AConnect
// at a fixed clock): the same request aws-msk-iam-auth presigns.
import assert from 'node:assert/strict';
import test from 'node:test';
import { mskIamPayload, mskRegion } from '../../../../../src/kafka/net/sasl/msk-iam-payload.ts';

const HOST = 'b-1.demo.abc123.c2.kafka.eu-west-1.amazonaws.com';
const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const AT = new Date('2024-05-06T07:08:09Z');

async function payloadOf(credentials: typeof KEYS & { sessionToken?: string }): Promise<Record<string, string>> {
  const bytes = await mskIamPayload({ host: HOST, region: 'eu-west-1', credentials, signingDate: AT, userAgent: 'kreroute/test' });
  return JSON.parse(bytes.toString('utf8')) as Record<string, string>;
}

test('the payload has the fields of aws-msk-iam-auth and the signature botocore computes', async () => {
  assert.deepEqual(await payloadOf(KEYS), {
    version: '2020_10_22',
    host: HOST,
    'user-agent': 'kreroute/test',
    action: 'kafka-cluster:Connect',
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': 'AKIDEXAMPLE/20240506/eu-west-1/kafka-cluster/aws4_request',
    'x-amz-date': '20240506T070809Z',
    'x-amz-expires': '900',
    'x-amz-signedheaders': 'host',
    'x-amz-signature': 'f0721e7aaf4124b988173246ec416041122f9b7547d06d56d620873a0bc86b96',
  });
});

test('temporary credentials add x-amz-security-token, which is signed too', async () => {
  const payload = await payloadOf({ ...KEYS, sessionToken: 'session-token-EXAMPLE/abc+def=' });
  assert.equal(payload['x-amz-security-token'], 'session-token-EXAMPLE/abc+def=');
  assert.equal(payload['x-amz-signature'], '83175c0153206a8b54b8027c841ed69a1b10c946885bdaaf6bca30b59d465961');
});

test('the payload never holds the secret access key', async () => {
  const text = JSON.stringify(await payloadOf(KEYS));
  assert.ok(!text.includes(KEYS.secretAccessKey));
});

test('the region comes from the broker host name, else from AWS_REGION', () => {
  assert.equal(mskRegion(HOST, {}), 'eu-west-1');
  assert.equal(mskRegion('boot-abc.c1.kafka-serverless.us-east-2.amazonaws.com', {}), 'us-east-2');
  assert.equal(mskRegion('b-2.x.y.c3.kafka.cn-north-1.amazonaws.com.cn', {}), 'cn-north-1');
  assert.equal(mskRegion('kafka.internal.example', { AWS_REGION: 'ap-south-1' }), 'ap-south-1');
  assert.equal(mskRegion('kafka.internal.example', { AWS_DEFAULT_REGION: 'sa-east-1' }), 'sa-east-1');
  assert.equal(mskRegion('kafka.internal.example', {}), undefined);
});
