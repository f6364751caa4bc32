import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { readClientProperties } from '../../../src/config/properties.ts';
import { KrerouteError } from '../../../src/common/errors.ts';

const TLS = fileURLToPath(new URL('../../fixtures/tls/', import.meta.url));
const tls = (name: string) => join(TLS, name);
const dir = await mkdtemp(join(tmpdir(), 'kreroute-props-'));
test.after(() => rm(dir, { recursive: true, force: true }));
let counter = 0;

async function propsFile(text: string): Promise<string> {
  const file = join(dir, `client-${++counter}.properties`);
  await writeFile(file, text);
  return file;
}

const read = async (text: string) => readClientProperties(await propsFile(text));

/** Expects a one-line CONFIG error naming the file and every `mentions`, and never `secrets`. */
async function rejects(text: string, mentions: (string | RegExp)[], secrets: string[] = []): Promise<KrerouteError> {
  const file = await propsFile(text);
  let caught: unknown;
  try {
    await readClientProperties(file);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof KrerouteError, `expected a KrerouteError, got ${String(caught)}`);
  assert.equal(caught.code, 'CONFIG');
  const line = caught.oneLine();
  assert.ok(!line.includes('\n'), `not one line: ${line}`);
  assert.ok(line.includes(file), `does not name the file: ${line}`);
  for (const m of mentions) assert.match(line, typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : m);
  for (const secret of secrets) assert.ok(!line.includes(secret), `leaks a secret: ${line}`);
  return caught;
}

const JAAS_PLAIN = 'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cret-pw";';

test('an empty file means PLAINTEXT with defaults', async () => {
  const { settings, warnings, bootstrapServers } = await read('# nothing\n');
  assert.deepEqual(settings, {});
  assert.deepEqual(warnings, []);
  assert.equal(bootstrapServers, undefined);
});

test('client.id, timeouts and bootstrap.servers', async () => {
  const { settings, bootstrapServers } = await read(
    'client.id=mover\nrequest.timeout.ms=45000\nsocket.connection.setup.timeout.ms=5000\nbootstrap.servers=k1:9092,k2:9092\n',
  );
  assert.deepEqual(settings, { clientId: 'mover', requestTimeoutMs: 45000, connectTimeoutMs: 5000 });
  assert.equal(bootstrapServers?.value, 'k1:9092,k2:9092');
  assert.equal(bootstrapServers?.site.line, 4);
});

test('a timeout that is not a positive number is refused', async () => {
  await rejects('request.timeout.ms=soon', ['request.timeout.ms', ':1 ']);
  await rejects('socket.connection.setup.timeout.ms=0', ['socket.connection.setup.timeout.ms']);
});

test('SASL_SSL with PLAIN: credentials from the JAAS config, TLS with the default CAs', async () => {
  const { settings } = await read(`security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n${JAAS_PLAIN}\n`);
  assert.deepEqual(settings.sasl, { mechanism: 'PLAIN', username: 'alice', password: 's3cret-pw' });
  assert.deepEqual(settings.tls, {});
});

test('SASL_PLAINTEXT with SCRAM-SHA-512, JAAS split over lines, unquoted user, escaped quote in password', async () => {
  const { settings } = await read(
    'security.protocol=sasl_plaintext\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n  username=bob \\\n  password="p\\\\"w";\n',
  );
  assert.deepEqual(settings.sasl, { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'p"w' });
  assert.equal(settings.tls, undefined);
});

test('SCRAM-SHA-256 is accepted', async () => {
  const { settings } = await read(
    'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
  );
  assert.equal(settings.sasl?.mechanism, 'SCRAM-SHA-256');
});

test('SASL without sasl.mechanism is refused: Kafka would use GSSAPI', async () => {
  await rejects(`security.protocol=SASL_SSL\n${JAAS_PLAIN}`, ['sasl.mechanism', 'GSSAPI'], ['s3cret-pw']);
});

test('GSSAPI and unknown mechanisms are refused', async () => {
  await rejects('security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI', ['sasl.mechanism', 'Kerberos']);
  await rejects('security.protocol=SASL_SSL\nsasl.mechanism=plain', ['sasl.mechanism: is not a mechanism kreroute supports', 'upper case'], ['plain ']);
});

test('OAUTHBEARER without a token endpoint is refused and says unsecured tokens are out of scope', async () => {
  await rejects(
    'security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="alice";',
    ['OAUTHBEARER', 'unsecured', 'out of scope'],
  );
});

test('a missing or broken JAAS config is refused without showing it', async () => {
  await rejects('security.protocol=SASL_SSL\nsasl.mechanism=PLAIN', ['sasl.jaas.config', 'is missing']);
  await rejects(
    'security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cret-pw"',
    ['sasl.jaas.config', 'does not end with ";"'],
    ['s3cret-pw'],
  );
  await rejects(
    'security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cret-pw',
    ['sasl.jaas.config', 'unterminated'],
    ['s3cret-pw'],
  );
  await rejects(
    'security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice";',
    ['has no password'],
  );
  await rejects(
    'security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required password="s3cret-pw";',
    ['Krb5LoginModule'],
    ['s3cret-pw'],
  );
});

test('sasl.* keys with PLAINTEXT are ignored with a warning (a common mistake)', async () => {
  const { settings, warnings } = await read(`sasl.mechanism=PLAIN\n${JAAS_PLAIN}`);
  assert.equal(settings.sasl, undefined);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /sasl\.mechanism, sasl\.jaas\.config ignored because security\.protocol is PLAINTEXT/);
  assert.ok(!(warnings[0] as string).includes('s3cret-pw'));
});

test('an unknown security.protocol is refused', async () => {
  await rejects('security.protocol=TLS', ['security.protocol: is not a security protocol', 'SASL_SSL'], ['"TLS"']);
});

test('PEM truststore from a file', async () => {
  const { settings } = await read(`security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=${tls('ca.pem')}\n`);
  assert.equal(settings.tls?.ca, await readFile(tls('ca.pem'), 'utf8'));
});

test('PEM truststore inline, on one line as Kafka allows', async () => {
  const pem = (await readFile(tls('ca.pem'), 'utf8')).trim().replace(/\n/g, ' ');
  const { settings } = await read(`security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.certificates=${pem}\n`);
  assert.equal(settings.tls?.ca, await readFile(tls('ca.pem'), 'utf8'));
});

test('a truststore without a type is JKS, as in Kafka, and refused with a conversion hint', async () => {
  const error = await rejects(
    `security.protocol=SSL\nssl.truststore.location=${tls('client.jks')}\nssl.truststore.password=store-secret-456`,
    ['ssl.truststore.location', 'JKS', 'keytool -list -rfc'],
    ['store-secret-456'],
  );
  assert.match(error.oneLine(), /ssl\.truststore\.type is not set/);
});

test('a PEM store without its type is told to add type=PEM', async () => {
  await rejects(`security.protocol=SSL\nssl.truststore.location=${tls('ca.pem')}`, ['ssl.truststore.location', 'is a PEM file', 'add ssl.truststore.type=PEM']);
  await rejects(`security.protocol=SSL\nssl.keystore.location=${tls('client-keystore.pem')}`, ['ssl.keystore.location', 'add ssl.keystore.type=PEM']);
});

test('a PKCS12 truststore is refused with an openssl hint', async () => {
  await rejects(`security.protocol=SSL\nssl.truststore.type=PKCS12\nssl.truststore.location=${tls('client.p12')}`, ['PKCS12 truststores', 'openssl pkcs12']);
});

test('a truststore file that does not exist or holds no certificate', async () => {
  await rejects('security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=/nonexistent/ca.pem', ['ssl.truststore.location', 'ENOENT']);
  await rejects(`security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=${tls('client.key')}`, ['holds no PEM certificate']);
});

test('PEM keystore from one file holding key and chain', async () => {
  const { settings } = await read(`security.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.location=${tls('client-keystore.pem')}\n`);
  assert.match(String(settings.tls?.key), /BEGIN PRIVATE KEY/);
  assert.match(String(settings.tls?.cert), /BEGIN CERTIFICATE/);
  assert.equal(settings.tls?.passphrase, undefined);
});

test('PEM keystore inline with an encrypted key and ssl.key.password', async () => {
  const oneLine = async (name: string) => (await readFile(tls(name), 'utf8')).trim().replace(/\n/g, ' ');
  const { settings } = await read(
    `security.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.key=${await oneLine('client-encrypted.key')}\nssl.keystore.certificate.chain=${await oneLine('client.pem')}\nssl.key.password=key-secret-123\n`,
  );
  assert.match(String(settings.tls?.key), /BEGIN ENCRYPTED PRIVATE KEY/);
  assert.equal(settings.tls?.passphrase, 'key-secret-123');
});

test('an encrypted PEM key with a wrong password is refused without the password', async () => {
  const oneLine = async (name: string) => (await readFile(tls(name), 'utf8')).trim().replace(/\n/g, ' ');
  await rejects(
    `security.protocol=SSL\nssl.keystore.key=${await oneLine('client-encrypted.key')}\nssl.keystore.certificate.chain=${await oneLine('client.pem')}\nssl.key.password=wrong-pw-789\n`,
    ['ssl.keystore.key', 'cannot load the private key', 'ssl.key.password'],
    ['wrong-pw-789', 'key-secret-123'],
  );
});

test('a key that does not match its certificate is refused', async () => {
  const oneLine = async (name: string) => (await readFile(tls(name), 'utf8')).trim().replace(/\n/g, ' ');
  await rejects(`security.protocol=SSL\nssl.keystore.key=${await oneLine('other.key')}\nssl.keystore.certificate.chain=${await oneLine('client.pem')}\n`, [
    'ssl.keystore.certificate.chain',
    'cannot be used with the private key',
  ]);
});

test('inline key without chain, and inline key with a file, are refused', async () => {
  await rejects('security.protocol=SSL\nssl.keystore.key=-----BEGIN PRIVATE KEY----- x -----END PRIVATE KEY-----', [
    'ssl.keystore.key',
    'ssl.keystore.certificate.chain',
  ]);
  await rejects(`security.protocol=SSL\nssl.keystore.key=k\nssl.keystore.certificate.chain=c\nssl.keystore.location=${tls('client.p12')}`, [
    'ssl.keystore.location',
    'together',
  ]);
});

test('PKCS12 keystore: pfx and passphrase', async () => {
  const { settings } = await read(
    `security.protocol=SSL\nssl.keystore.type=PKCS12\nssl.keystore.location=${tls('client.p12')}\nssl.keystore.password=store-secret-456\n`,
  );
  assert.deepEqual(settings.tls?.pfx, await readFile(tls('client.p12')));
  assert.equal(settings.tls?.passphrase, 'store-secret-456');
});

test('PKCS12 keystore with a wrong password is refused without the password', async () => {
  await rejects(
    `security.protocol=SSL\nssl.keystore.type=PKCS12\nssl.keystore.location=${tls('client.p12')}\nssl.keystore.password=wrong-pw-789\n`,
    ['ssl.keystore.location', 'cannot open the PKCS12 keystore', 'ssl.keystore.password'],
    ['wrong-pw-789', 'store-secret-456'],
  );
});

test('PKCS12 with a different ssl.key.password is refused without either password', async () => {
  await rejects(
    `security.protocol=SSL\nssl.keystore.type=PKCS12\nssl.keystore.location=${tls('client.p12')}\nssl.keystore.password=store-secret-456\nssl.key.password=key-secret-123\n`,
    ['ssl.key.password', 'differs'],
    ['store-secret-456', 'key-secret-123'],
  );
});

test('a JKS keystore, explicit or by default, is refused with keytool -importkeystore', async () => {
  await rejects(
    `security.protocol=SSL\nssl.keystore.type=JKS\nssl.keystore.location=${tls('client.jks')}\nssl.keystore.password=store-secret-456`,
    ['ssl.keystore.location', 'JKS', 'keytool -importkeystore', 'PKCS12'],
    ['store-secret-456'],
  );
  await rejects(`security.protocol=SASL_SSL\nssl.keystore.location=${tls('client.jks')}`, ["Kafka's default JKS"]);
});

test('an empty ssl.endpoint.identification.algorithm skips host name verification', async () => {
  const { settings } = await read('security.protocol=SSL\nssl.endpoint.identification.algorithm=\n');
  assert.equal(typeof settings.tls?.checkServerIdentity, 'function');
  assert.equal(settings.tls?.checkServerIdentity?.('wrong.example', { subject: {} } as never), undefined);
  const strict = await read('security.protocol=SSL\nssl.endpoint.identification.algorithm=HTTPS\n');
  assert.equal(strict.settings.tls?.checkServerIdentity, undefined);
  await rejects('security.protocol=SSL\nssl.endpoint.identification.algorithm=ldaps', ['ssl.endpoint.identification.algorithm', 'https'], ['ldaps']);
});

test('ssl.enabled.protocols and ssl.protocol map to TLS versions', async () => {
  assert.deepEqual((await read('security.protocol=SSL\nssl.enabled.protocols=TLSv1.3')).settings.tls, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  assert.deepEqual((await read('security.protocol=SSL\nssl.enabled.protocols=TLSv1.2, TLSv1.3')).settings.tls, {
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
  });
  assert.deepEqual((await read('security.protocol=SSL\nssl.protocol=TLSv1.2')).settings.tls, { maxVersion: 'TLSv1.2' });
  await rejects('security.protocol=SSL\nssl.enabled.protocols=TLSv1.1', ['ssl.enabled.protocols', 'TLSv1.2 and/or TLSv1.3'], ['TLSv1.1']);
});

test('producer and consumer tuning keys are ignored silently', async () => {
  const { settings, warnings } = await read(
    'acks=all\nlinger.ms=5\ngroup.id=g\nauto.offset.reset=earliest\nmax.poll.records=10\nretries=3\ncompression.type=zstd\nkey.deserializer=org.apache.kafka.common.serialization.StringDeserializer\n',
  );
  assert.deepEqual(settings, {});
  assert.deepEqual(warnings, []);
});

test('unknown non-security keys are ignored with a warning naming them', async () => {
  const { warnings } = await read('value.subject.name.strategy=io.x.Strategy\nmy.app.credentials=user:secret-xyz\n');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /unknown keys ignored: value\.subject\.name\.strategy, my\.app\.credentials/);
  assert.ok(!(warnings[0] as string).includes('secret-xyz'));
});

test('a misspelt security key is an error naming it', async () => {
  await rejects('security.protocol=SASL_SSL\nsasl.mechansim=PLAIN', ['sasl.mechansim', ':2 ']);
  await rejects('ssl.trustore.location=/x', ['ssl.trustore.location']);
});

test('security keys we cannot honour are errors; their harmless values are accepted', async () => {
  await rejects('security.protocol=SSL\nssl.cipher.suites=TLS_AES_256_GCM_SHA384', ['ssl.cipher.suites', 'cannot be honoured']);
  await rejects('sasl.login.callback.handler.class=com.example.Handler', ['sasl.login.callback.handler.class']);
  await rejects('config.providers=file\nconfig.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider', ['config.providers']);
  const { warnings } = await read('security.protocol=SSL\nssl.keymanager.algorithm=SunX509\nssl.trustmanager.algorithm=PKIX\nssl.cipher.suites=\n');
  assert.deepEqual(warnings, []);
});

test('Kerberos and OAuth login tuning keys are inert and ignored', async () => {
  const { warnings } = await read(
    `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n${JAAS_PLAIN}\nsasl.kerberos.service.name=kafka\nsasl.login.refresh.window.factor=0.8\n`,
  );
  assert.deepEqual(warnings, []);
});

test('broker settings are ignored with a warning', async () => {
  const { warnings } = await read('ssl.client.auth=required\n');
  assert.match(warnings[0] as string, /ssl\.client\.auth is a broker setting/);
});

test('a missing file is a CONFIG error naming it', async () => {
  await assert.rejects(readClientProperties(join(dir, 'missing.properties')), (error: unknown) => {
    assert.ok(error instanceof KrerouteError);
    assert.equal(error.code, 'CONFIG');
    assert.match(error.oneLine(), /missing\.properties.*ENOENT/);
    return true;
  });
});

test('a malformed escape names the file and line', async () => {
  await rejects('client.id=a\nsasl.jaas.config=\\uZZZZ', [':2', 'malformed']);
});
