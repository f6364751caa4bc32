// The Kafka tools' and kcat's spellings of the cluster flags: parsed here, and once each through the
// real CLI as a child process (no broker needed: each is refused or checked before connecting).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { Command } from 'commander';
import { type ClusterFlags, addClusterOptions, bootstrapFlag, clusterArgs } from '../../../../src/cli/options/cluster-options.ts';
import { KrerouteError } from '../../../../src/common/errors.ts';
import { writePlanFile } from '../../../../src/plan/plan-file.ts';
import { runKreroute } from '../../../support/cli-run.ts';
import { offlinePlan } from '../../../support/offline-plan.ts';

const dir = await mkdtemp(join(tmpdir(), 'kreroute-cluster-options-'));
test.after(() => rm(dir, { recursive: true, force: true }));

async function parse(args: string[], sides: Array<'source' | 'destination'> = ['source', 'destination']): Promise<ClusterFlags> {
  let flags: ClusterFlags | undefined;
  const command = addClusterOptions(new Command('cmd').exitOverride(), true, sides).action((f: ClusterFlags) => {
    flags = f;
  });
  await command.parseAsync(args, { from: 'user' });
  return flags as ClusterFlags;
}

const badInput = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof KrerouteError, String(error));
  assert.equal(error.code, 'BAD_INPUT');
  assert.match(error.oneLine(), pattern);
  return true;
};

test('--source-bootstrap-server and --dest-bootstrap-server are --source and --destination', async () => {
  const flags = await parse(['--source-bootstrap-server', 'a:1', '--dest-bootstrap-server', 'b:2']);
  assert.equal(bootstrapFlag('source', flags, false), 'a:1');
  assert.equal(bootstrapFlag('destination', flags, false), 'b:2');
  const same = await parse(['--source', 'a:1', '--source-bootstrap-server', 'a:1']);
  assert.equal(bootstrapFlag('source', same, false), 'a:1', 'the same address twice is fine');
  const twice = await parse(['--source', 'a:1', '--source-bootstrap-server', 'b:2']);
  assert.throws(() => bootstrapFlag('source', twice, false), badInput(/^--source and --source-bootstrap-server: two different source addresses given/));
});

test('-b / --bootstrap-server: the one cluster of a one-cluster command, refused on a two-cluster one', async () => {
  const flags = await parse(['-b', 'd:9'], ['destination']);
  assert.equal(bootstrapFlag('destination', flags, true), 'd:9');
  assert.equal(bootstrapFlag('destination', await parse(['--bootstrap-server', 'd:9'], ['destination']), true), 'd:9');
  for (const spelling of ['-b', '--bootstrap-server']) {
    await assert.rejects(
      parse([spelling, 'a:1']),
      badInput(
        /^--bootstrap-server: cmd talks to two clusters.* — give --source-bootstrap-server \(or --source\) and --dest-bootstrap-server \(or --destination\)$/,
      ),
    );
  }
});

test('-X / --command-property: repeatable, for both clusters or one side; a side the command does not have is refused', async () => {
  const flags = await parse(['-X', 'client.id=a', '--command-property', 'source:request.timeout.ms=5', '-X', 'dest:client.id=b']);
  assert.deepEqual(flags.commandProperty, [
    { key: 'client.id', value: 'a' },
    { side: 'source', key: 'request.timeout.ms', value: '5' },
    { side: 'destination', key: 'client.id', value: 'b' },
  ]);
  await assert.rejects(parse(['-X', 'source:client.id=a'], ['destination']), badInput(/^-X: this command talks to the destination only, not the source/));
});

test('workers get the cluster flags back in their plain spelling, -X included', async () => {
  const flags = await parse([
    '--source-bootstrap-server',
    'a:1',
    '--dest-bootstrap-server',
    'b:2',
    '--command-config',
    'c.properties',
    '--source-config',
    's.properties',
    '-X',
    'client.id=x=y',
    '-X',
    'dest:acks=all',
  ]);
  const args = clusterArgs(flags);
  assert.deepEqual(args, [
    '--source',
    'a:1',
    '--source-config',
    's.properties',
    '--destination',
    'b:2',
    '--command-config',
    'c.properties',
    '-X',
    'client.id=x=y',
    '-X',
    'destination:acks=all',
  ]);
  const again = await parse(args);
  assert.deepEqual(clusterArgs(again), args);
});

test('help: one-cluster commands list -b, two-cluster commands do not', async () => {
  const help = (sides: Array<'source' | 'destination'>) => addClusterOptions(new Command('cmd'), true, sides).helpInformation();
  assert.match(help(['destination']), /-b, --bootstrap-server <bootstrap>/);
  assert.doesNotMatch(help(['source', 'destination']), /--bootstrap-server <bootstrap>/);
  assert.match(
    help(['source', 'destination']),
    /--source-bootstrap-server <bootstrap>.*\n[\s\S]*--command-config <file>[\s\S]*-X, --command-property <key=value>/,
  );
});

/** Exactly one stderr line, the error. */
function oneLine(run: { code: number | null; stderr: string }, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, run.stderr);
  assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  assert.match(run.stderr.trimEnd(), pattern);
}

test('the real CLI: each family of aliases', async () => {
  const planFile = join(dir, 'offline.plan.json');
  await writePlanFile(planFile, offlinePlan());
  const planArgs = ['plan', '--topic', 'orders', '--out', join(dir, 'never.plan.json')];

  oneLine(
    await runKreroute([...planArgs, '--bootstrap-server', 'a:1']),
    2,
    /^kreroute: BAD_INPUT: --bootstrap-server: plan talks to two clusters, so it does not know which one this is — give --source-bootstrap-server/,
  );
  oneLine(
    await runKreroute([...planArgs, '--source', 'a:1', '--source-bootstrap-server', 'b:2', '--dest-bootstrap-server', 'c:3']),
    2,
    /^kreroute: BAD_INPUT: --source and --source-bootstrap-server: two different source addresses given/,
  );

  const rdkafka = join(dir, 'kcat.properties');
  await writeFile(rdkafka, 'security.protocol=SSL\nssl.ca.location=/etc/kafka/ca.pem\n');
  oneLine(
    await runKreroute(['status', planFile, '--command-config', rdkafka]),
    2,
    new RegExp(
      `^kreroute: CONFIG: ${rdkafka}:2 ssl\\.ca\\.location: is librdkafka's \\(kcat's\\) name.* — write ssl\\.truststore\\.location=<file> with ssl\\.truststore\\.type=PEM$`,
    ),
  );
  oneLine(
    await runKreroute(['copy', planFile, '-X', 'security.protocol=SSL', '-X', 'dest:ssl.key.location=/secret/client.key']),
    2,
    /^kreroute: CONFIG: -X ssl\.key\.location: is librdkafka's \(kcat's\) name.* — write ssl\.keystore\.location=/,
  );
  oneLine(await runKreroute(['status', planFile, '-X', 'source:client.id=x']), 2, /^kreroute: BAD_INPUT: -X: this command talks to the destination only/);
});
