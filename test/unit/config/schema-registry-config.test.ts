import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKrerouteError } from '../../../src/common/errors.ts';
import { schemaRegistryConfigFrom } from '../../../src/config/schema-registry-config.ts';

const entries = (props: Record<string, string>) => Object.entries(props).map(([key, value], i) => ({ key, value, line: i + 1, file: 'dest.properties' }));

test('schema.registry.url (the first of a list) and basic auth from USER_INFO', () => {
  assert.deepEqual(
    schemaRegistryConfigFrom(
      entries({
        'schema.registry.url': 'https://r1:8081, https://r2:8081',
        'basic.auth.credentials.source': 'USER_INFO',
        'basic.auth.user.info': 'app:s3cret',
      }),
    ),
    { url: 'https://r1:8081', basicAuthUserInfo: 'app:s3cret' },
  );
  assert.deepEqual(schemaRegistryConfigFrom(entries({ 'schema.registry.url': 'http://r', 'bearer.auth.token': 'tok' })), {
    url: 'http://r',
    bearerToken: 'tok',
  });
  assert.equal(schemaRegistryConfigFrom(entries({ 'bootstrap.servers': 'b:9092' })), undefined);
});

test('unsupported settings are refused in one line that never shows a secret', () => {
  const refused = (props: Record<string, string>, pattern: RegExp) =>
    assert.throws(
      () => schemaRegistryConfigFrom(entries(props)),
      (error: unknown) => isKrerouteError(error) && error.code === 'CONFIG' && pattern.test(error.oneLine()) && !error.oneLine().includes('s3cret'),
    );
  refused(
    { 'schema.registry.ssl.truststore.location': '/x.jks', 'basic.auth.user.info': 'a:s3cret' },
    /schema\.registry\.ssl\.truststore\.location is not supported yet/,
  );
  refused({ 'basic.auth.credentials.source': 'SASL_INHERIT', 'basic.auth.user.info': 'a:s3cret' }, /SASL_INHERIT is not supported/);
  refused({ 'basic.auth.user.info': 'a:s3cret', 'bearer.auth.token': 's3cret' }, /only one can be given/);
});
