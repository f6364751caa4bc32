import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { KrerouteError } from '../../../src/common/errors.ts';
import { LIBRDKAFKA_KEYS } from '../../../src/config/librdkafka-keys.ts';
import { HANDLED_KEYS, TUNING_KEYS } from '../../../src/config/known-keys.ts';
import { readClientProperties } from '../../../src/config/properties.ts';

const dir = await mkdtemp(join(tmpdir(), 'kreroute-librdkafka-'));
test.after(() => rm(dir, { recursive: true, force: true }));
let counter = 0;
const SECRET = 'hunter2-value';

async function read(text: string) {
  const file = join(dir, `rdkafka-${++counter}.properties`);
  await writeFile(file, text);
  return { file, result: readClientProperties(file) };
}

/** One CONFIG line naming the file, line and key, and the Java key to write; never the value. */
async function refused(key: string, value: string, java: RegExp, before = 'security.protocol=SASL_SSL\n'): Promise<void> {
  const { file, result } = await read(`${before}${key}=${value}\n`);
  await assert.rejects(result, (error: unknown) => {
    assert.ok(error instanceof KrerouteError, String(error));
    assert.equal(error.code, 'CONFIG');
    const line = error.oneLine();
    assert.ok(line.startsWith(`${file}:${before.split('\n').length} ${key}: is librdkafka's (kcat's) name`), line);
    assert.match(line, java);
    assert.ok(!line.includes(value), `quotes the value: ${line}`);
    return true;
  });
}

test('librdkafka security and address keys are refused with the Java key to write', async () => {
  await refused('ssl.ca.location', `/etc/${SECRET}/ca.pem`, /write ssl\.truststore\.location=<file> with ssl\.truststore\.type=PEM$/);
  await refused('ssl.ca.pem', SECRET, /ssl\.truststore\.certificates/);
  await refused(
    'sasl.username',
    SECRET,
    /sasl\.jaas\.config=org\.apache\.kafka\.common\.security\.plain\.PlainLoginModule required username="…" password="…";/,
  );
  await refused('sasl.password', SECRET, /PlainLoginModule required username="…" password="…";.*ScramLoginModule/);
  await refused('sasl.mechanisms', `${SECRET}X`, /write sasl\.mechanism \(singular\)/);
  await refused('ssl.certificate.location', SECRET, /ssl\.keystore\.location=.*ssl\.keystore\.type=PEM.*ssl\.keystore\.certificate\.chain/);
  await refused('ssl.certificate.pem', SECRET, /ssl\.keystore\.certificate\.chain/);
  await refused('ssl.key.location', SECRET, /ssl\.keystore\.key=<PEM>/);
  await refused('ssl.key.pem', SECRET, /write ssl\.keystore\.key=<PEM>/);
  await refused('enable.ssl.certificate.verification', 'false', /ssl\.endpoint\.identification\.algorithm= \(empty\).*kreroute still verifies the CA/);
  await refused('metadata.broker.list', `${SECRET}:9092`, /write bootstrap\.servers=/, '');
  await refused('sasl.oauthbearer.client.secret', SECRET, /sasl\.oauthbearer\.client\.credentials\.client\.secret/);
  await refused('sasl.oauthbearer.client.id', SECRET, /clientId in sasl\.jaas\.config/);
  await refused('ssl.crl.location', SECRET, /revocation lists are not checked/);
});

test("librdkafka's defaults change nothing and are accepted", async () => {
  const { result } = await read('enable.ssl.certificate.verification=true\nsasl.oauthbearer.method=oidc\nssl.crl.location=\n');
  assert.deepEqual((await result).warnings, []);
});

test('librdkafka tuning keys are ignored with a warning naming the Java key, not the value', async () => {
  const { file, result } = await read(`socket.timeout.ms=${SECRET}\ncompression.codec=lz4\n`);
  const { warnings } = await result;
  assert.deepEqual(warnings, [
    `${file}:1 socket.timeout.ms: is librdkafka's (kcat's) name, which the Java client and kreroute do not read; ignored (write request.timeout.ms)`,
    `${file}:2 compression.codec: is librdkafka's (kcat's) name, which the Java client and kreroute do not read; ignored (write compression.type)`,
  ]);
});

test('no librdkafka name is also a Java key kreroute reads', () => {
  for (const key of LIBRDKAFKA_KEYS.keys()) assert.ok(!HANDLED_KEYS.has(key) && !TUNING_KEYS.has(key), key);
});
