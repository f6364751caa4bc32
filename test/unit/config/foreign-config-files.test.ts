// Keys, certificates, keystores and JSON given where a Kafka client .properties file belongs, to
// every option that takes one, of every command: one CONFIG line naming the file, non-zero exit,
// and not one piece of the file anywhere in the output. No broker is needed: the properties are
// read before any connection (the plan-based commands read an offline plan first).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../../src/cli/run.ts';
import { writePlanFile } from '../../../src/plan/plan-file.ts';
import { firstLeak, makeKeyFixtures, needles } from '../../support/key-fixtures.ts';
import { offlinePlan } from '../../support/offline-plan.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'kreroute-foreign-'));
test.after(() => rm(dir, { recursive: true, force: true }));
const fixtures = await makeKeyFixtures(dir);
const planFile = join(dir, 'offline.plan.json');
await writePlanFile(planFile, offlinePlan());

type Command = 'plan' | 'copy' | 'verify' | 'purge' | 'reroute' | 'status';
const COMMANDS: Command[] = ['plan', 'copy', 'verify', 'purge', 'reroute', 'status'];
/** How a properties file reaches the command: a flag, or an env var. */
type Way = { flag: string } | { env: string };
const WAYS: Way[] = [
  { flag: '--source-config' },
  { flag: '--dest-config' },
  { flag: '--command-config' },
  { env: 'KREROUTE_SOURCE_CONFIG' },
  { env: 'KREROUTE_DEST_CONFIG' },
];
const describeWay = (way: Way) => ('flag' in way ? way.flag : `env ${way.env}`);

/** Status talks to the destination only: it has no source options. */
const waysOf = (command: Command) =>
  command === 'status' ? WAYS.filter((w) => !describeWay(w).includes('SOURCE') && !describeWay(w).includes('source')) : WAYS;

function baseArgs(command: Command): string[] {
  if (command === 'plan' || command === 'reroute') {
    return [command, '--source', '127.0.0.1:1', '--destination', '127.0.0.1:2', '--topic', 'orders', '--out', join(dir, 'never-written.plan.json')];
  }
  return [command, planFile];
}

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

function invocation(command: Command, way: Way, file: string, json: boolean, extra: string[] = []): { args: string[]; env: Record<string, string> } {
  const args = [...(json ? ['--json'] : []), ...baseArgs(command), ...('flag' in way ? [way.flag, file] : []), ...extra];
  return { args, env: 'env' in way ? { [way.env]: file } : {} };
}

/** The CLI in this process, with its own streams: fast enough for the whole matrix. */
async function runInProcess(args: string[], env: Record<string, string>): Promise<Run> {
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const stream = (into: Buffer[]) =>
    ({ isTTY: false, columns: 80, write: (chunk: string | Uint8Array) => (into.push(Buffer.from(chunk)), true) }) as unknown as NodeJS.WriteStream;
  const code = await runCli(args, { stdout: stream(chunks.stdout), stderr: stream(chunks.stderr) }, { PATH: process.env['PATH'] ?? '', ...env });
  return { code, stdout: Buffer.concat(chunks.stdout), stderr: Buffer.concat(chunks.stderr) };
}

/** `node src/cli/main.ts …` as a user runs it, without this process's KREROUTE_* settings. */
function runChild(args: string[], env: Record<string, string>): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KREROUTE_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });
}

/** Refused in one CONFIG line that names `file`, and nothing of `secret` anywhere. */
function assertRefusedQuietly(run: Run, what: string, file: string, secret: Buffer[], message?: RegExp): void {
  const stderr = run.stderr.toString('utf8');
  assert.notEqual(run.code, 0, `${what}: exit code 0`);
  assert.equal(stderr.trimEnd().split('\n').length, 1, `${what}: not exactly one line on stderr`);
  assert.match(stderr, /^kreroute: CONFIG: /, what);
  assert.ok(stderr.includes(file), `${what}: the line does not name ${file}`);
  if (message) assert.match(stderr, message, what);
  const leak = firstLeak(Buffer.concat([run.stdout, run.stderr]), secret);
  assert.equal(leak, undefined, `${what}: ${leak} appear in the output`);
}

const LOOKS_LIKE: Record<string, RegExp> = {
  'rsa-pkcs8.key': /looks like a PEM private key, not a Kafka client \.properties file/,
  'rsa-pkcs1.key': /looks like a PEM private key/,
  'ec.key': /looks like a PEM private key/,
  'encrypted.key': /looks like a PEM encrypted private key/,
  'client.crt': /looks like a PEM certificate.*ssl\.truststore\.location/,
  'key.der': /looks like a binary \(DER\) private key.*convert it to PEM/,
  'client.der': /looks like a binary \(DER\) certificate/,
  'client.p12': /looks like a PKCS#12 keystore.*ssl\.keystore\.type=PKCS12/,
  'client.jks': /looks like a Java keystore \(JKS\).*keytool -importkeystore/,
  'service-account.json': /looks like a JSON file holding a key or secret/,
  'random.bin': /looks like a binary file/,
};

test('every kind of key and keystore, to every properties option of every command, with and without --json: one line, nothing of the file', async () => {
  let runs = 0;
  for (const fixture of fixtures) {
    const secret = needles(fixture.bytes);
    for (const command of COMMANDS) {
      for (const way of waysOf(command)) {
        for (const json of [false, true]) {
          const { args, env } = invocation(command, way, fixture.file, json);
          const run = await runInProcess(args, env);
          assertRefusedQuietly(run, `${command} ${describeWay(way)} ${fixture.name}${json ? ' --json' : ''}`, fixture.file, secret, LOOKS_LIKE[fixture.name]);
          runs++;
        }
      }
    }
  }
  assert.equal(runs, fixtures.length * (5 * 5 + 3) * 2);
});

test('the same as child processes: every fixture once, the command, the option and --json taking turns', async () => {
  const cases = fixtures.map((fixture, turn) => {
    const command = COMMANDS[turn % COMMANDS.length] as Command;
    const ways = waysOf(command);
    return { fixture, command, way: ways[turn % ways.length] as Way, json: turn % 2 === 0 };
  });
  // Two at a time: the machine is shared.
  const queue = [...cases];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const { fixture, command, way, json } = next;
      const { args, env } = invocation(command, way, fixture.file, json);
      const run = await runChild(args, env);
      assertRefusedQuietly(
        run,
        `child: ${command} ${describeWay(way)} ${fixture.name}${json ? ' --json' : ''}`,
        fixture.file,
        needles(fixture.bytes),
        LOOKS_LIKE[fixture.name],
      );
    }
  };
  await Promise.all([worker(), worker()]);
});

const SECRET = 'hunter2-secret-value';
const JAAS = `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="mover" password="${SECRET}";`;
/** Properties files holding a secret value next to a mistake; the error must name the key or line only. */
const SECRET_FILES: Record<string, string> = {
  'the secret alone on a line': `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n${JAAS}\n${SECRET}\n`,
  'a line that is not key=value': `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n${JAAS}\n"password": "${SECRET}"\n`,
  'a bad escape': `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n${JAAS}\nclient.id=\\u12zz\n`,
  'an invalid number': `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n${JAAS}\nrequest.timeout.ms=${SECRET}\n`,
  'a secret as the JAAS text': `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=${SECRET}\n`,
  'a secret as the JAAS module': `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=${SECRET} required username="a" password="b";\n`,
  'a secret as the JAAS module with a bad option': `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=${SECRET} required ${SECRET}x;\n`,
  'a secret as the protocol': `security.protocol=${SECRET}\n`,
  'a secret as the mechanism': `security.protocol=SASL_SSL\nsasl.mechanism=${SECRET}\n${JAAS}\n`,
  'a secret as the keystore path': `security.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.location=${SECRET}\n`,
  'a secret as the truststore type': `security.protocol=SSL\nssl.truststore.type=${SECRET}\nssl.truststore.location=x.pem\n`,
  'a secret as the bootstrap list': `bootstrap.servers=${SECRET}\n`,
  'librdkafka sasl.password': `security.protocol=SASL_SSL\nsasl.mechanisms=PLAIN\nsasl.username=mover\nsasl.password=${SECRET}\n`,
  'a secret as the TLS protocol': `security.protocol=SSL\nssl.enabled.protocols=${SECRET}\n`,
};

/** The command with `file` as the destination's properties; for the bootstrap case without --destination, so that the file's list is read. */
function destinationConfigArgs(command: Command, file: string, json: boolean, withoutAddress: boolean): string[] {
  const args = baseArgs(command);
  const kept = withoutAddress ? args.filter((arg, i) => arg !== '--destination' && args[i - 1] !== '--destination') : args;
  return [...(json ? ['--json'] : []), ...kept, '--dest-config', file];
}

test('a properties file with a secret value and a mistake: the secret never appears, for every command', async () => {
  for (const [name, text] of Object.entries(SECRET_FILES)) {
    const file = join(dir, `${name.replaceAll(' ', '-')}.properties`);
    await writeFile(file, text);
    const withoutAddress = name.includes('bootstrap');
    for (const command of COMMANDS) {
      for (const json of [false, true]) {
        const run = await runInProcess(destinationConfigArgs(command, file, json, withoutAddress), {});
        assertRefusedQuietly(run, `${command} ${name}${json ? ' --json' : ''}`, file, [Buffer.from(SECRET)]);
      }
    }
    const child = await runChild(destinationConfigArgs('plan', file, false, withoutAddress), {});
    assertRefusedQuietly(child, `child: plan ${name}`, file, [Buffer.from(SECRET)]);
  }
});

test('a secret given with -X is never echoed, whatever is wrong around it', async () => {
  const cases: Record<string, string[]> = {
    'a JAAS text that does not parse': ['-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanism=PLAIN', '-X', `sasl.jaas.config=${SECRET}`],
    'librdkafka sasl.password': ['-X', 'security.protocol=SASL_SSL', '-X', `dest:sasl.password=${SECRET}`],
    'an invalid number': ['-X', `request.timeout.ms=${SECRET}`],
  };
  for (const [name, extra] of Object.entries(cases)) {
    for (const command of COMMANDS) {
      const args = [...baseArgs(command), ...extra];
      const run = await runInProcess(args, {});
      assertRefusedQuietly(run, `${command} -X ${name}`, '-X', [Buffer.from(SECRET)]);
    }
  }
  const child = await runChild([...baseArgs('plan'), '-X', `sasl.password=${SECRET}`, '--json'], {});
  assertRefusedQuietly(child, 'child: plan -X sasl.password', '-X', [Buffer.from(SECRET)]);
  for (const malformed of [SECRET, `${SECRET}:x=1`, `x y=${SECRET}`]) {
    const run = await runChild([...baseArgs('plan'), '-X', malformed], {});
    assert.notEqual(run.code, 0);
    assert.match(run.stderr.toString(), /^kreroute: BAD_INPUT: -X: /);
    assert.equal(firstLeak(Buffer.concat([run.stdout, run.stderr]), [Buffer.from(SECRET)]), undefined, `-X ${malformed.length} chars: echoed`);
  }
});
