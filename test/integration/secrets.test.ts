// Secrets stay secret: every command runs with SCRAM and OAuth credentials (and fails a login with
// wrong ones) against a broker of its own, then every output and artifact is searched for the
// passwords, the client secret and every token issued. Source and destination are topics of the
// same secured broker, so both sides log in.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DEFAULT_CHECKPOINT_TOPIC } from '../../src/checkpoint/destination-store.ts';
import { type CliRun, runKreroute } from '../support/cli-run.ts';
import { type OidcProvider, startOidcProvider } from '../support/oidc-provider.ts';
import { type Artifact, type ArtifactCollector, filesUnder, findSecrets } from '../support/secret-scan.ts';
import { type SecuredBroker, startSecuredBroker } from '../support/secured-broker.ts';

const run = promisify(execFile);
const CLI_MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const ADMIN_PASSWORD = `admin-pw-${randomBytes(8).toString('hex')}`;
const SCRAM_PASSWORD = `scram-pw-${randomBytes(8).toString('hex')}`;
const CLIENT_SECRET = `client-secret-${randomBytes(8).toString('hex')}`;
const WRONG_PASSWORD = `wrong-pw-${randomBytes(8).toString('hex')}`;
const WRONG_SECRET = `wrong-secret-${randomBytes(8).toString('hex')}`;

let oidc: OidcProvider | undefined;
let broker: SecuredBroker | undefined;
let dir: string | undefined;
const runs: Array<{ label: string; run: CliRun }> = [];

before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'kreroute-secrets-'));
    oidc = await startOidcProvider({ clientId: 'kreroute', clientSecret: CLIENT_SECRET, subject: 'admin' });
    // Every principal is User:admin, the super user: this file is about where secrets go, not ACLs.
    broker = await startSecuredBroker('secrets', {
      superUser: 'admin',
      saslPlainUsers: { admin: ADMIN_PASSWORD },
      scramUsers: { admin: SCRAM_PASSWORD },
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

async function propertiesFile(name: string, lines: string[]): Promise<string> {
  assert.ok(dir);
  const file = join(dir, `${name}.properties`);
  await writeFile(file, ['security.protocol=SASL_PLAINTEXT', ...lines, ''].join('\n'));
  return file;
}

const scram = (password = SCRAM_PASSWORD) =>
  propertiesFile(`scram-${password === SCRAM_PASSWORD ? 'good' : 'wrong'}`, [
    'sasl.mechanism=SCRAM-SHA-512',
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${password}";`,
  ]);

const oauth = (secret = CLIENT_SECRET) =>
  propertiesFile(`oauth-${secret === CLIENT_SECRET ? 'good' : 'wrong'}`, [
    'sasl.mechanism=OAUTHBEARER',
    `sasl.oauthbearer.token.endpoint.url=${oidc?.tokenUrl}`,
    'sasl.oauthbearer.client.credentials.client.id=kreroute',
    `sasl.oauthbearer.client.credentials.client.secret=${secret}`,
    'sasl.oauthbearer.scope=kafka',
    'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
  ]);

async function cli(label: string, args: string[], expectCode = 0): Promise<CliRun> {
  const result = await runKreroute(args, 90_000);
  runs.push({ label, run: result });
  assert.equal(result.code, expectCode, `${label}: exit ${result.code}\n${result.stderr}`);
  return result;
}

/** The checkpoint topic's records on the destination, keys and values, read back with kcat (a client no one here wrote). */
const checkpointRecords: ArtifactCollector = async () => {
  assert.ok(broker);
  const { stdout } = await run(
    'kcat',
    [
      '-C',
      '-b',
      broker.cluster.bootstrap,
      '-t',
      DEFAULT_CHECKPOINT_TOPIC,
      '-e',
      '-q',
      '-f',
      'key=%k value=%s headers=%h\n',
      '-X',
      'security.protocol=SASL_PLAINTEXT',
      '-X',
      'sasl.mechanisms=PLAIN',
      '-X',
      'sasl.username=admin',
      '-X',
      `sasl.password=${ADMIN_PASSWORD}`,
      '-X',
      'isolation.level=read_uncommitted',
    ],
    { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  assert.ok(stdout.trim().length > 0, 'the checkpoint topic holds records');
  return [{ what: `${DEFAULT_CHECKPOINT_TOPIC} records`, text: stdout }];
};

const metricsScrapes: Artifact[] = [];

/**
 * `copy --metrics-port 0 --json`, throttled so that its metrics can be scraped while it runs; the
 * scrapes become artifacts and the run's output joins the others.
 */
async function copyScraped(label: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args, '--metrics-port', '0', '--metrics-host', '127.0.0.1', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 60_000;
  while (!done && Date.now() < deadline) {
    const url = /metrics: serving at (http:\/\/\S+?)["\s]/.exec(stdout)?.[1];
    if (url) {
      const text = await fetch(url).then(
        (r) => r.text(),
        () => '',
      );
      if (text.includes('kreroute_')) metricsScrapes.push({ what: `${label} metrics scrape ${metricsScrapes.length + 1}`, text });
    }
    await sleep(300);
  }
  if (!done) child.kill('SIGKILL');
  const code = await exited;
  runs.push({ label, run: { code, stdout, stderr, ms: Date.now() - started } });
  assert.equal(code, 0, `${label}: exit ${code}\n${stderr}`);
  assert.ok(metricsScrapes.length >= 1, `${label}: metrics were scraped while it ran`);
}

const metrics: ArtifactCollector = async () => metricsScrapes;

const commandOutputs: ArtifactCollector = async () =>
  runs.flatMap(({ label, run: r }): Artifact[] => [
    { what: `${label} stdout`, text: r.stdout },
    { what: `${label} stderr`, text: r.stderr },
  ]);

test('no password, client secret or token in any output, file or checkpoint record', { timeout: 240_000 }, async () => {
  assert.ok(broker && oidc && dir);
  const bootstrap = broker.cluster.bootstrap;
  const topic = await broker.seededTopic('secrets', 2, 30);
  const [scramFile, oauthFile] = [await scram(), await oauth()];
  const state = join(dir, 'state');
  const planFile = join(dir, 'a.plan.json');
  // Round one: SCRAM on the source, OAuth on the destination, every command.
  const sides = ['--source', bootstrap, '--destination', bootstrap, '--source-config', scramFile, '--dest-config', oauthFile];
  await cli('plan --json', ['plan', ...sides, '--topic', topic, '--dest-topic', `${topic}-a`, '--create-topics', '--out', planFile, '--json']);
  await cli('copy', ['copy', planFile, '--source-config', scramFile, '--dest-config', oauthFile, '--state-dir', state, '--mode', 'exactly-once']);
  await cli('status', ['status', planFile, '--state-dir', state, '--dest-config', oauthFile]);
  await cli('status --json', ['status', planFile, '--state-dir', state, '--dest-config', oauthFile, '--json']);
  await cli('verify --json', ['verify', planFile, '--source-config', scramFile, '--dest-config', oauthFile, '--state-dir', state, '--json']);
  await cli('purge --dry-run', ['purge', planFile, '--dry-run', '--source-config', scramFile, '--dest-config', oauthFile, '--state-dir', state]);
  const metricsPlan = join(dir, 'm.plan.json');
  await cli('plan for metrics', ['plan', ...sides, '--topic', topic, '--dest-topic', `${topic}-m`, '--create-topics', '--out', metricsPlan]);
  await copyScraped('copy --metrics-port', [
    'copy',
    metricsPlan,
    '--source-config',
    scramFile,
    '--dest-config',
    oauthFile,
    '--state-dir',
    join(dir, 'state-m'),
    '--max-rate',
    '15',
  ]);
  // Round two: the other way round, through reroute (plan, copy, verify in one job).
  const swapped = ['--source', bootstrap, '--destination', bootstrap, '--source-config', oauthFile, '--dest-config', scramFile];
  await cli('reroute', [
    'reroute',
    ...swapped,
    '--topic',
    topic,
    '--dest-topic',
    `${topic}-b`,
    '--create-topics',
    '--out',
    join(dir, 'b.plan.json'),
    '--state-dir',
    join(dir, 'state-b'),
    '--mode',
    'exactly-once',
  ]);
  await cli('reroute --json', [
    'reroute',
    ...swapped,
    '--topic',
    topic,
    '--dest-topic',
    `${topic}-c`,
    '--create-topics',
    '--out',
    join(dir, 'c.plan.json'),
    '--state-dir',
    join(dir, 'state-c'),
    '--json',
  ]);
  // Failed logins: the error line names no secret.
  const wrongScram = await cli(
    'plan, wrong SCRAM password',
    [
      'plan',
      ...sides.slice(0, 4),
      '--source-config',
      await scram(WRONG_PASSWORD),
      '--dest-config',
      oauthFile,
      '--topic',
      topic,
      '--dest-topic',
      `${topic}-x`,
      '--out',
      join(dir, 'x.plan.json'),
    ],
    3,
  );
  assert.match(wrongScram.stderr, /kreroute: AUTH: /);
  const wrongSecret = await cli(
    'plan --json, wrong client secret',
    [
      'plan',
      ...sides.slice(0, 4),
      '--source-config',
      scramFile,
      '--dest-config',
      await oauth(WRONG_SECRET),
      '--topic',
      topic,
      '--dest-topic',
      `${topic}-y`,
      '--out',
      join(dir, 'y.plan.json'),
      '--json',
    ],
    3,
  );
  assert.match(wrongSecret.stdout, /"code":"AUTH"/);

  const secrets: Record<string, string> = {
    'admin password': ADMIN_PASSWORD,
    'SCRAM password': SCRAM_PASSWORD,
    'client secret': CLIENT_SECRET,
    'wrong password': WRONG_PASSWORD,
    'wrong client secret': WRONG_SECRET,
  };
  assert.ok(oidc.issued.length >= 4, `${oidc.issued.length} tokens issued`);
  oidc.issued.forEach((token, i) => {
    secrets[`token ${i}`] = token;
    secrets[`signature of token ${i}`] = token.split('.')[2] as string;
  });
  // Properties files hold the secrets by design; everything else under dir is kreroute's.
  const propertiesFree: ArtifactCollector = async () => (await filesUnder(dir!)()).filter((a) => !a.what.endsWith('.properties'));
  const collectors: ArtifactCollector[] = [commandOutputs, propertiesFree, checkpointRecords, metrics];
  const { found, artifacts } = await findSecrets(collectors, secrets);
  assert.ok(artifacts >= 2 * runs.length + 4, `searched ${artifacts} artifacts`);
  assert.deepEqual(found, []);
  // The search does find a secret where one is: in the properties files.
  const control = await findSecrets([filesUnder(dir)], { 'client secret': CLIENT_SECRET, 'SCRAM password': SCRAM_PASSWORD });
  assert.equal(control.found.length, 2, control.found.join('; '));
});
