import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isKrerouteError } from '../../../src/common/errors.ts';
import { schemaRegistryConfigFrom } from '../../../src/config/schema-registry-config.ts';

const entries = (props: Record<string, string>) => Object.entries(props).map(([key, value], i) => ({ key, value, line: i + 1, file: 'dest.properties' }));
const read = (props: Record<string, string>) => schemaRegistryConfigFrom(entries(props), 'dest.properties');
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/tls-broker/${name}`, import.meta.url));
const stores = (name: string) => fileURLToPath(new URL(`../../fixtures/tls/${name}`, import.meta.url));

test('schema.registry.url (the first of a list) and basic auth from USER_INFO', async () => {
  assert.deepEqual(
    await read({
      'schema.registry.url': 'https://r1:8081, https://r2:8081',
      'basic.auth.credentials.source': 'USER_INFO',
      'basic.auth.user.info': 'app:s3cret',
    }),
    { url: 'https://r1:8081', basicAuthUserInfo: 'app:s3cret' },
  );
  assert.deepEqual(await read({ 'schema.registry.url': 'http://r', 'bearer.auth.token': 'tok' }), {
    url: 'http://r',
    bearerToken: 'tok',
  });
  assert.equal(await read({ 'bootstrap.servers': 'b:9092' }), undefined);
});

test('schema.registry.ssl.*: trusted certificates and a client certificate, read as Kafka reads ssl.* for a broker', async () => {
  const config = await read({
    'schema.registry.url': 'https://r:8081',
    'schema.registry.ssl.truststore.type': 'PEM',
    'schema.registry.ssl.truststore.location': fixture('ca.pem'),
    'schema.registry.ssl.keystore.type': 'PEM',
    'schema.registry.ssl.keystore.location': fixture('client-keystore.pem'),
  });
  const ca = (await readFile(fixture('ca.pem'), 'utf8')).match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/)![0];
  assert.ok(String(config?.tls?.ca).includes(ca), 'the CA of the truststore file');
  assert.match(String(config?.tls?.ca), /-----BEGIN CERTIFICATE-----/);
  assert.match(String(config?.tls?.key), /PRIVATE KEY-----/);
  assert.match(String(config?.tls?.cert), /-----BEGIN CERTIFICATE-----/);
});

test('unsupported settings are refused in one line that never shows a secret', async () => {
  const refused = (props: Record<string, string>, pattern: RegExp) =>
    assert.rejects(
      () => read(props),
      (error: unknown) => isKrerouteError(error) && error.code === 'CONFIG' && pattern.test(error.oneLine()) && !error.oneLine().includes('s3cret'),
    );
  // A JKS truststore: the hint names the registry's keys, not a broker's.
  await refused(
    {
      'schema.registry.ssl.truststore.location': stores('client.jks'),
      'schema.registry.ssl.truststore.password': 's3cret',
      'basic.auth.user.info': 'a:s3cret',
    },
    /dest\.properties:1 schema\.registry\.ssl\.truststore\.location: schema\.registry\.ssl\.truststore\.type is not set.*set schema\.registry\.ssl\.truststore\.type=PEM and schema\.registry\.ssl\.truststore\.location=ca\.pem/,
  );
  await refused(
    {
      'schema.registry.ssl.keystore.location': stores('client.p12'),
      'schema.registry.ssl.keystore.type': 'PKCS12',
      'schema.registry.ssl.keystore.password': 'wrong-s3cret',
    },
    /schema\.registry\.ssl\.keystore\.location: cannot open the PKCS12 keystore/,
  );
  await refused(
    { 'schema.registry.ssl.truststore.location': '/no/such/ca.pem', 'schema.registry.ssl.truststore.type': 'PEM' },
    /schema\.registry\.ssl\.truststore\.location: cannot read the file it names \(ENOENT\)/,
  );
  await refused({ 'schema.registry.ssl.cipher.suites': 'X' }, /schema\.registry\.ssl\.cipher\.suites is not a setting kreroute reads/);
  await refused({ 'basic.auth.credentials.source': 'SASL_INHERIT', 'basic.auth.user.info': 'a:s3cret' }, /SASL_INHERIT is not supported/);
  await refused({ 'basic.auth.user.info': 'a:s3cret', 'bearer.auth.token': 's3cret' }, /only one can be given/);
});
