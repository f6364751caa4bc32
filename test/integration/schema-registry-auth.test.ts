// Schema registries that require credentials (Apicurio with its auth on): the source's takes HTTP
// basic auth, the destination's RS256 bearer tokens, each configured as Confluent's clients
// configure it, in the side's properties file. A whole translated job runs through them, and a
// refusal is one line that names neither the password nor the token.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import { readRange } from '../../src/kafka/fetch/range-reader.ts';
import { cacheDir } from '../../src/local/paths.ts';
import { type LocalSchemaRegistry, startLocalSchemaRegistry } from '../../src/local/schema-registry.ts';
import { SchemaRegistryClient } from '../../src/schemas/registry-client.ts';
import { schemaIdOf } from '../../src/schemas/wire-format.ts';
import { avroSchema, framed } from '../support/avro-records.ts';
import { type CliRun, runKreroute, runPlan } from '../support/cli-run.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { checkedJsonLines } from '../support/json-output.ts';
import { registryProperties } from '../support/schema-registries.ts';
import { filesUnder, findSecrets } from '../support/secret-scan.ts';

const PASSWORD = 'basic-pw-s3cret';
const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherSigning = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKey = signing.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let dir: string;
let sourceRegistry: LocalSchemaRegistry | undefined;
let destinationRegistry: LocalSchemaRegistry | undefined;
let token: string;

const bearerToken = (key = signing.privateKey) =>
  new SignJWT({ preferred_username: 'kreroute-test' })
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject('kreroute-test')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);

before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'kreroute-registry-auth-'));
    const logDir = join(cacheDir(), 'broker-logs');
    await mkdir(logDir, { recursive: true });
    const auth = { users: { copier: PASSWORD }, tokenPublicKey: publicKey };
    [sourceRegistry, destinationRegistry] = await Promise.all([
      startLocalSchemaRegistry({ name: 'basic-auth', logDir, auth }),
      startLocalSchemaRegistry({ name: 'bearer-auth', logDir, auth }),
    ]);
    token = await bearerToken();
  },
  { timeout: 240_000 },
);

after(async () => {
  await Promise.all([sourceRegistry?.stop(), destinationRegistry?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sourceClient = () => new SchemaRegistryClient({ url: sourceRegistry!.url, basicAuthUserInfo: `copier:${PASSWORD}` });
const destinationClient = () => new SchemaRegistryClient({ url: destinationRegistry!.url, bearerToken: token });

/** A source topic of two framed records whose schema only the source registry has, under an id the destination's registry gives to another schema. */
async function framedTopic(): Promise<{ topic: string; id: number }> {
  const subject = uniqueName('auth');
  const unique = subject.replace(/[^a-zA-Z0-9]/g, '_');
  const schema = avroSchema(`Order_${unique}`, 'orderId');
  const id = await sourceClient().register(`${subject}-value`, schema);
  let taken = 0;
  for (let i = 0; taken < id && i < 100; i++)
    taken = await destinationClient().register(`${uniqueName('filler')}-value`, avroSchema(`Filler_${unique}_${i}`, 'x'));
  const topic = uniqueName('schema-auth');
  await createTopic(getTestClusters().source, topic, 1);
  await produce(
    getTestClusters().source,
    topic,
    new Map([[0, [record('k1', framed(id, schema, { orderId: 'o-1' })), record('k2', framed(id, schema, { orderId: 'o-2' }))]]]),
  );
  return { topic, id };
}

async function planRun(topic: string, planFile: string, sourceLines: string[], destinationLines: string[]): Promise<CliRun> {
  return runPlan([
    '--source-config',
    await registryProperties(dir, 'source', sourceRegistry!.url, sourceLines),
    '--dest-config',
    await registryProperties(dir, 'dest', destinationRegistry!.url, destinationLines),
    '--topic',
    topic,
    '--create-topics',
    '--schemas',
    'translate',
    '--json',
    '--out',
    planFile,
  ]);
}

const basic = [`basic.auth.user.info=copier:${PASSWORD}`];
const bearer = () => ['bearer.auth.credentials.source=STATIC_TOKEN', `bearer.auth.token=${token}`];

test('plan --schemas translate through a registry that takes basic auth and one that takes bearer tokens; copy and verify pass', async () => {
  const { topic, id } = await framedTopic();
  const planFile = join(dir, `${uniqueName('plan')}.json`);
  const planned = await planRun(topic, planFile, basic, bearer());
  assert.equal(planned.code, 0, (planned.stdout + planned.stderr).slice(0, 2000));
  const result = checkedJsonLines(planned.stdout).find((l) => l.type === 'result') as { plan: { topics: { schemaIdMap?: Record<string, number> }[] } };
  const mapped = result.plan.topics[0]!.schemaIdMap?.[String(id)];
  assert.ok(mapped !== undefined && mapped !== id, `the plan maps source id ${id} to the destination's own id (${mapped})`);
  assert.equal(
    (await destinationClient().schemaById(mapped))?.schema,
    (await sourceClient().schemaById(id))?.schema,
    'registered on the destination, with a bearer token',
  );

  const state = join(dir, uniqueName('state'));
  const copied = await runKreroute(['copy', planFile, '--json', '--state-dir', state]);
  assert.equal(copied.code, 0, copied.stderr);
  const verified = await runKreroute(['verify', planFile, '--json', '--state-dir', state]);
  assert.equal(verified.code, 0, verified.stdout.slice(-2000) + verified.stderr);
  const ids: Array<number | undefined> = [];
  const reader = cluster(getTestClusters().destination);
  try {
    for await (const chunk of readRange(reader, topic, 0, 0n, 2n)) for (const r of chunk.records) ids.push(schemaIdOf(r.value));
  } finally {
    await reader.close();
  }
  assert.deepEqual(ids, [mapped, mapped], 'the copies carry the destination id');

  const texts = [planned, copied, verified].flatMap((run, i) => [
    { what: `${['plan', 'copy', 'verify'][i]} stdout`, text: run.stdout },
    { what: `${['plan', 'copy', 'verify'][i]} stderr`, text: run.stderr },
  ]);
  const planText = await readFile(planFile, 'latin1');
  const { found } = await findSecrets([async () => texts, filesUnder(state), async () => [{ what: 'plan file', text: planText }]], {
    password: PASSWORD,
    token,
  });
  assert.deepEqual(found, []);
});

test('a registry refuses kreroute in one line, naming what to set and no secret: no credentials, a wrong password, a token it did not sign', async () => {
  const { topic } = await framedTopic();
  const refusals = {
    'no basic auth': await planRun(topic, join(dir, 'none.json'), [], bearer()),
    'a wrong password': await planRun(topic, join(dir, 'wrong.json'), ['basic.auth.user.info=copier:not-the-password'], bearer()),
    'no token': await planRun(topic, join(dir, 'no-token.json'), basic, []),
    'a token signed by another key': await planRun(topic, join(dir, 'other.json'), basic, [`bearer.auth.token=${await bearerToken(otherSigning.privateKey)}`]),
  };
  for (const [what, run] of Object.entries(refusals)) {
    assert.equal(run.code, 3, `${what}: the exit code of an auth failure\n${run.stderr}`);
    assert.equal(run.stderr.trim().split('\n').length, 1, `${what}: ${run.stderr}`);
    assert.match(run.stderr, /schema registry http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7: (GET|POST) \/\S+ answered 401/, what);
    assert.match(run.stderr, /basic\.auth\.user\.info|bearer\.auth\.token/, `${what}: says what to set`);
    assert.ok(!run.stderr.includes(PASSWORD) && !run.stderr.includes('not-the-password') && !run.stderr.includes(token), `${what}: no secret`);
  }
});
