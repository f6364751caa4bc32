// A destination schema registry reached over https that requires a client certificate (Apicurio,
// Quarkus's TLS), configured as Confluent's clients configure it: schema.registry.ssl.* in the
// side's properties file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cacheDir, javaExecutable } from '../../src/local/paths.ts';
import { type LocalSchemaRegistry, startLocalSchemaRegistry } from '../../src/local/schema-registry.ts';
import { SchemaRegistryClient } from '../../src/schemas/registry-client.ts';
import { avroSchema, framed } from '../support/avro-records.ts';
import { runPlan } from '../support/cli-run.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { checkedJsonLines } from '../support/json-output.ts';
import { registryProperties } from '../support/schema-registries.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/tls-broker/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const STORE_PASSWORD = 'trust-s3cret';

let dir: string;
let plainRegistry: LocalSchemaRegistry | undefined;
let tlsRegistry: LocalSchemaRegistry | undefined;

before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'kreroute-registry-tls-'));
    // The registry trusts client certificates of the CA that signed client.pem (Quarkus reads a PKCS12 truststore).
    const trustStore = join(dir, 'clients.p12');
    const keytool = javaExecutable().replace(/java$/, 'keytool');
    execFileSync(keytool, [
      '-importcert',
      '-noprompt',
      '-alias',
      'ca',
      '-file',
      fixture('ca.pem'),
      '-keystore',
      trustStore,
      '-storetype',
      'PKCS12',
      '-storepass',
      STORE_PASSWORD,
    ]);
    const logDir = join(cacheDir(), 'broker-logs');
    await mkdir(logDir, { recursive: true });
    [plainRegistry, tlsRegistry] = await Promise.all([
      startLocalSchemaRegistry({ name: 'plain', logDir }),
      startLocalSchemaRegistry({
        name: 'mtls',
        logDir,
        tls: { certificateFile: fixture('broker.pem'), keyFile: fixture('broker.key'), clientTrustStore: { file: trustStore, password: STORE_PASSWORD } },
      }),
    ]);
  },
  { timeout: 240_000 },
);

after(async () => {
  await Promise.all([plainRegistry?.stop(), tlsRegistry?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A source topic with one framed record whose schema the source registry has and the destination's lacks. */
async function framedTopic(): Promise<{ topic: string; id: number }> {
  const subject = uniqueName('tls');
  const schema = avroSchema(`Order_${subject.replace(/[^a-zA-Z0-9]/g, '_')}`, 'orderId');
  const id = await new SchemaRegistryClient({ url: plainRegistry!.url }).register(`${subject}-value`, schema);
  const topic = uniqueName('schema-tls');
  await createTopic(getTestClusters().source, topic, 1);
  await produce(getTestClusters().source, topic, new Map([[0, [record('k1', framed(id, schema, { orderId: 'o-1' }))]]]));
  return { topic, id };
}

/** kreroute plan with the destination registry from a properties file holding `lines` (after its URL, by default the https one). */
async function planWithDestinationProperties(topic: string, lines: string[], url = tlsRegistry!.httpsUrl) {
  return runPlan([
    '--dest-config',
    await registryProperties(dir, 'dest', url!, lines),
    '--source-schema-registry',
    plainRegistry!.url,
    '--topic',
    topic,
    '--create-topics',
    '--json',
    '--out',
    join(dir, `${uniqueName('plan')}.json`),
  ]);
}

const trusted = ['schema.registry.ssl.truststore.type=PEM', `schema.registry.ssl.truststore.location=${fixture('ca.pem')}`];
const clientCertificate = ['schema.registry.ssl.keystore.type=PEM', `schema.registry.ssl.keystore.location=${fixture('client-keystore.pem')}`];

test('plan reaches an https registry that requires a client certificate through schema.registry.ssl.*', async () => {
  const { topic, id } = await framedTopic();
  const run = await planWithDestinationProperties(topic, [...trusted, ...clientCertificate, 'basic.auth.user.info=app:pw-s3cret']);
  const output = run.stdout + run.stderr;
  assert.equal(run.code, 0, output.slice(0, 2000));
  assert.ok(!/pw-s3cret|trust-s3cret/.test(output), 'no secret in the output');
  const lines = checkedJsonLines(run.stdout) as Array<{ type: string; plan?: { checks: { code: string; message: string }[] } }>;
  const missing = lines.find((l) => l.type === 'result')?.plan?.checks.find((c) => c.code === 'SCHEMA_IDS_MISSING');
  assert.ok(missing, 'the destination registry was asked, over https, and lacks the id');
  assert.match(missing.message, new RegExp(`schema ids? ${id}\\b`));
});

test('an https registry refused in one line: its certificate not trusted, no client certificate, ssl keys for an http registry', async () => {
  const { topic } = await framedTopic();
  const untrusted = await planWithDestinationProperties(topic, clientCertificate);
  assert.notEqual(untrusted.code, 0);
  assert.match(
    untrusted.stderr,
    /schema registry https:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7: GET .* failed \(.*certificate.*\).*schema\.registry\.ssl\.truststore/,
  );

  const anonymous = await planWithDestinationProperties(topic, trusted);
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.stderr, /schema registry https:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7: GET .* failed/);

  const wrongCa = await planWithDestinationProperties(topic, [
    'schema.registry.ssl.truststore.type=PEM',
    `schema.registry.ssl.truststore.location=${fixture('other-ca.pem')}`,
    ...clientCertificate,
  ]);
  assert.notEqual(wrongCa.code, 0);
  assert.match(wrongCa.stderr, /failed \(.*certificate/);

  const http = await planWithDestinationProperties(topic, trusted, plainRegistry!.url);
  assert.notEqual(http.code, 0);
  assert.match(http.stderr, /schema\.registry\.ssl\.\* is set, but the registry http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7 is not https/);
  for (const run of [untrusted, anonymous, wrongCa, http]) assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
});
