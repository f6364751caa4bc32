// Kafka's and kcat's spellings (--source-bootstrap-server, --dest-bootstrap-server, -b,
// --command-config, -X) reach the clusters: the CLI as a child process against the test clusters.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { writePlanFile } from '../../src/plan/plan-file.ts';
import { runKreroute } from '../support/cli-run.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { offlinePlan } from '../support/offline-plan.ts';

const { source, destination } = getTestClusters();
const dir = await mkdtemp(join(tmpdir(), 'kreroute-conventions-'));
test.after(() => rm(dir, { recursive: true, force: true }));

const topic = uniqueName('conventions');
await createTopic(source, topic, 1);
await produce(source, topic, new Map([[0, Array.from({ length: 5 }, (_, i) => record(`k${i}`, `v${i}`))]]));

test('plan with --source-bootstrap-server, --dest-bootstrap-server, --command-config and -X', async () => {
  const common = join(dir, 'common.properties');
  await writeFile(common, 'client.id=kreroute-conventions\nrequest.timeout.ms=30000\n');
  const planFile = join(dir, 'aliases.plan.json');
  const run = await runKreroute([
    'plan',
    '--source-bootstrap-server',
    source,
    '--dest-bootstrap-server',
    destination,
    '--command-config',
    common,
    '-X',
    'source:socket.connection.setup.timeout.ms=10000',
    '-X',
    'dest:client.id=kreroute-conventions-dest',
    '--topic',
    topic,
    '--create-topics',
    '--out',
    planFile,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /warning/, 'no key was ignored');
  const plan = JSON.parse(await readFile(planFile, 'utf8'));
  assert.equal(plan.source.bootstrap, source);
  assert.equal(plan.destination.bootstrap, destination);
  assert.equal(plan.topics[0].partitions[0].end, '5');
});

test('-X source:bootstrap.servers is the address the plan connects to', async () => {
  const planFile = join(dir, 'x-bootstrap.plan.json');
  const run = await runKreroute(['plan', '-X', `source:bootstrap.servers=${source}`, '--destination', destination, '--topic', topic, '--out', planFile]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(await readFile(planFile, 'utf8')).source.bootstrap, source);

  // And a -X that changes security reaches the connection: TLS to a plaintext listener fails.
  const tls = await runKreroute(
    [
      'plan',
      '--source',
      source,
      '--destination',
      destination,
      '-X',
      'source:security.protocol=SSL',
      '--wait-timeout',
      '5s',
      '--topic',
      topic,
      '--out',
      join(dir, 'never.plan.json'),
    ],
    90_000,
  );
  assert.notEqual(tls.code, 0, 'TLS against a plaintext listener cannot work');
  assert.match(tls.stderr, /does not answer TLS .* on source/, tls.stderr);
});

test('status -b is status --destination', async () => {
  // The plan records an address where no broker listens: only through -b does status reach the
  // destination, which answers with its cluster id (not the plan's).
  const planFile = join(dir, 'offline.plan.json');
  await writePlanFile(planFile, offlinePlan());
  const status = await runKreroute(['status', planFile, '-b', destination, '--state-dir', join(dir, 'status-state')]);
  assert.match(status.stderr, new RegExp(`^kreroute: PLAN_MISMATCH: the destination destination ${destination} is cluster `), status.stderr);
  const conflicting = await runKreroute(['status', planFile, '-b', destination, '--destination', '127.0.0.1:1']);
  assert.equal(conflicting.code, 2, conflicting.stderr);
  assert.match(conflicting.stderr, /^kreroute: BAD_INPUT: --destination and --bootstrap-server: two different destination addresses given/);
});
