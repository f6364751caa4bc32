// The CLI as a child process, for input it must refuse before touching a broker.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../../../src/common/version.ts';
import { offlinePlan } from '../../support/offline-plan.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const TLS = fileURLToPath(new URL('../../fixtures/tls/', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'kreroute-cli-usage-'));
test.after(() => rm(dir, { recursive: true, force: true }));

function kreroute(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KREROUTE_')));
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...clean, ...env }, timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Exit code, and exactly one stderr line matching `pattern`; nothing on stdout. */
function assertOneLine(result: ReturnType<typeof kreroute>, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one stderr line, got: ${result.stderr}`);
  assert.match(lines[0] as string, pattern);
  assert.equal(result.stdout, '');
}

const PLAN_FLAGS = ['--source', '127.0.0.1:1', '--destination', '127.0.0.1:2', '--topic', 'orders'];

test('no command: usage error, exit 2, one line', () => {
  assertOneLine(kreroute([]), 2, /^kreroute: usage: no command given \(see kreroute --help\)$/);
});

test('unknown command and unknown option: exit 2, one line with a suggestion', () => {
  assertOneLine(kreroute(['cpy']), 2, /^kreroute: usage: unknown command 'cpy'/);
  assertOneLine(kreroute(['plan', '--topik', 'x']), 2, /^kreroute: usage: unknown option '--topik' \(Did you mean --topic\?\) \(see kreroute plan --help\)$/);
  assertOneLine(kreroute(['copy']), 2, /^kreroute: usage: missing required argument 'plan'/);
});

test('--help and --version exit 0 on stdout', () => {
  const help = kreroute(['--help']);
  assert.equal(help.code, 0);
  for (const command of ['plan', 'copy', 'verify', 'purge', 'reroute', 'demo']) assert.match(help.stdout, new RegExp(`\\n  ${command} `));
  const planHelp = kreroute(['plan', '--help']);
  assert.equal(planHelp.code, 0);
  assert.match(planHelp.stdout, /--header <NAME=VALUE>/);
  const helpCommand = kreroute(['help', 'copy']);
  assert.equal(helpCommand.code, 0);
  assert.match(helpCommand.stdout, /Usage: kreroute copy/);
  assert.equal(helpCommand.stderr, '');
  const version = kreroute(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), VERSION);
});

test('bad flag values: BAD_INPUT, exit 2, one line naming the flag', () => {
  const out = join(dir, 'never.json');
  assertOneLine(
    kreroute(['plan', ...PLAN_FLAGS, '--out', out, '--from', 'time:2026-11-01T00:00:00']),
    2,
    /^kreroute: BAD_INPUT: --from: time:2026-11-01T00:00:00 has no time zone — add Z/,
  );
  assertOneLine(kreroute(['plan', ...PLAN_FLAGS, '--out', out, '--header', 'tenant']), 2, /^kreroute: BAD_INPUT: --header: "tenant" is not NAME=VALUE/);
  assertOneLine(kreroute(['plan', ...PLAN_FLAGS, '--out', out, '--key-prefix', 'a', '--json-field', 'x=y']), 2, /only one filter/);
  assertOneLine(kreroute(['plan', ...PLAN_FLAGS]), 2, /^kreroute: BAD_INPUT: --out: no plan file given/);
  assertOneLine(kreroute(['plan', '--topic', 'orders', '--out', out]), 2, /^kreroute: BAD_INPUT: no source cluster given/);
  assertOneLine(
    kreroute(['plan', '--source', 'kafka', '--destination', 'b:1', '--topic', 'orders', '--out', out]),
    2,
    /^kreroute: BAD_INPUT: --source: "kafka" has no port/,
  );
  assertOneLine(kreroute(['copy', join(dir, 'p.json'), '--max-rate', 'fast']), 2, /^kreroute: BAD_INPUT: --max-rate: "fast" is not a rate/);
  assertOneLine(
    kreroute(['copy', join(dir, 'p.json'), '--workers', 'many']),
    2,
    /^kreroute: BAD_INPUT: --workers: "many" is not a number of workers — give a whole number ≥ 1, or auto/,
  );
  assertOneLine(kreroute(['copy', join(dir, 'p.json'), '--workers', '0']), 2, /^kreroute: BAD_INPUT: --workers: "0" is not a number of workers/);
  assertOneLine(
    kreroute(['copy', join(dir, 'p.json'), '--workers', '2', '--shard', '0/2']),
    2,
    /^kreroute: BAD_INPUT: --workers and --shard cannot be given together/,
  );
});

test('--json: the error is one JSON object on stdout, and one line on stderr', () => {
  const result = kreroute(['--json', 'plan', ...PLAN_FLAGS, '--out', join(dir, 'x.json'), '--mapping', 'hash']);
  assert.equal(result.code, 2);
  const lines = result.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1);
  const event = JSON.parse(lines[0] as string);
  assert.equal(event.type, 'error');
  assert.equal(event.code, 'BAD_INPUT');
  assert.equal(event.exitCode, 2);
  assert.match(event.message, /--mapping/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('plan refuses to overwrite an existing plan file without --force', async () => {
  const out = join(dir, 'exists.json');
  await writeFile(out, '{}');
  assertOneLine(
    kreroute(['plan', ...PLAN_FLAGS, '--out', out]),
    2,
    /^kreroute: BAD_INPUT: plan file .*exists\.json already exists — give another --out, or --force/,
  );
  assert.equal(await readFile(out, 'utf8'), '{}');
});

test('a properties file kreroute cannot honour: CONFIG, exit 2, file and key named', async () => {
  const file = join(dir, 'jks.properties');
  await writeFile(file, `security.protocol=SSL\nssl.keystore.location=${join(TLS, 'client.jks')}\nssl.keystore.password=store-secret-456\n`);
  const result = kreroute(['plan', ...PLAN_FLAGS, '--out', join(dir, 'y.json'), '--source-config', file]);
  assertOneLine(result, 2, /^kreroute: CONFIG: .*jks\.properties:2 ssl\.keystore\.location: .*keytool -importkeystore/);
  assert.ok(!result.stderr.includes('store-secret-456'));
});

test('the config file can come from KREROUTE_SOURCE_CONFIG', async () => {
  const file = join(dir, 'gssapi.properties');
  await writeFile(file, 'security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\n');
  assertOneLine(
    kreroute(['plan', ...PLAN_FLAGS, '--out', join(dir, 'z.json')], { KREROUTE_SOURCE_CONFIG: file }),
    2,
    /^kreroute: CONFIG: .*gssapi\.properties:2 sasl\.mechanism: GSSAPI/,
  );
});

test('copy of a missing plan file: BAD_INPUT', () => {
  assertOneLine(kreroute(['copy', join(dir, 'missing.json')]), 2, /^kreroute: BAD_INPUT: cannot read plan file .*missing\.json: ENOENT/);
});

test('a plan edited by hand is refused before any connection: PLAN_INVALID, exit 5', async () => {
  const plan = offlinePlan({ filter: { kind: 'header', name: 'tenant', value: 'tenant-b' } });
  const file = join(dir, 'edited.plan.json');
  await writeFile(file, JSON.stringify({ ...plan, topics: [{ ...plan.topics[0], partitions: [{ ...plan.topics[0]!.partitions[0], end: '99' }] }] }, null, 2));
  for (const command of ['copy', 'verify', 'purge']) {
    assertOneLine(kreroute([command, file]), 5, /^kreroute: PLAN_INVALID: plan file .*edited\.plan\.json was changed after it was made/);
  }
  await writeFile(file, '{ not json');
  assertOneLine(kreroute(['verify', file]), 5, /^kreroute: PLAN_INVALID: .* is not valid JSON/);
});

test('purge --execute --dry-run contradict each other: BAD_INPUT before the plan is read', () => {
  assertOneLine(
    kreroute(['purge', join(dir, 'any.plan.json'), '--execute', '--dry-run']),
    2,
    /^kreroute: BAD_INPUT: --execute and --dry-run contradict each other/,
  );
});
