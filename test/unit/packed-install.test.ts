// The package as a user gets it: `npm pack` of this checkout (its prepack builds dist/), installed
// with `npm i -g` by a user who is not root into a prefix of their own (dependencies from the npm
// registry), and run from there. An older Node is refused by the installed launcher with one line.
// Writes nothing into the checkout but dist/ (git-ignored), which prepack rebuilds.
import assert from 'node:assert/strict';
import { execFile as execFileCallback, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { VERSION } from '../../src/common/version.ts';

const execFile = promisify(execFileCallback);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Node 24 (this test's) and its npm first, whatever else is on PATH. */
const PATH = `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`;
/** The `npm test` run's own npm settings (its cache, its prefix) stay out of the user's npm. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|KREROUTE_)/i.test(key)));
/** Who installs: root is asked to install as nobody; anyone else installs as themselves. */
const NOBODY = 65534;
const DOC_MENTION = /\bdocs\/[\w-]+\.md\b/g;

interface Run {
  /** Environment on top of ENV and PATH. */
  env?: NodeJS.ProcessEnv;
  /** Run as this uid and gid (root only, through setpriv). */
  uid?: number;
}

/** Runs a command to its end; its stdout, or an error that shows its output. */
async function run(file: string, args: string[], cwd: string, { env = {}, uid }: Run = {}): Promise<string> {
  const [command, commandArgs] = uid === undefined ? [file, args] : ['setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', file, ...args]];
  const { stdout } = await execFile(command, commandArgs, { cwd, env: { ...ENV, PATH, ...env }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Every docs/*.md the sources mention (messages, hints, --help): each must ship. */
async function docsMentionedBySources(): Promise<string[]> {
  const found = new Set<string>();
  for (const entry of await readdir(join(ROOT, 'src'), { recursive: true })) {
    if (entry.endsWith('.ts')) for (const [doc] of (await readFile(join(ROOT, 'src', entry), 'utf8')).matchAll(DOC_MENTION)) found.add(doc);
  }
  return [...found].sort();
}

/** As root: nobody, unless this Node lies where nobody cannot reach it (a checkout under /root). */
async function nobodyIfTheyCanRunNode(t: test.TestContext): Promise<number | undefined> {
  // The node the installed bin's `#!/usr/bin/env node` finds as that user: a checkout in a private
  // folder (mktemp -d) hides .tools/node24 from it, and the PATH then gives an older system node.
  const probe = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'env', 'node', '-p', 'process.versions.node'], {
    encoding: 'utf8',
  });
  const major = Number((probe.stdout ?? '').split('.')[0]);
  if (probe.status === 0 && major >= 22) return NOBODY;
  t.diagnostic(
    `uid ${NOBODY} finds no usable node on PATH (${(probe.error?.message ?? (probe.stderr || probe.stdout)).trim()}): installed as root, into a prefix of its own`,
  );
  return undefined;
}

/** What must not change in the checkout: its git status (dist/ is ignored) and its node_modules. */
async function checkoutState(): Promise<string> {
  const status = spawnSync('git', ['status', '--porcelain', '--ignore-submodules'], { cwd: ROOT, encoding: 'utf8' });
  const modules = await stat(join(ROOT, 'node_modules', '.package-lock.json'));
  return `${status.status === 0 ? status.stdout : '(no git)'}\nnode_modules/.package-lock.json ${modules.mtimeMs}`;
}

test('npm pack of the checkout, npm i -g of it by a non-root user: kreroute --version, --help and copy --help answer, the docs they name ship', {
  timeout: 300_000,
}, async (t) => {
  // As root the install runs as nobody, who must reach the folder: the test run's TMPDIR is private (0700).
  const work = await mkdtemp(join(process.getuid?.() === 0 ? '/tmp' : tmpdir(), 'kreroute-packed-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  await chmod(work, 0o755);

  const before = await checkoutState();
  await run('npm', ['pack', '--pack-destination', work, '--loglevel=error'], ROOT);
  assert.equal(await checkoutState(), before, 'npm pack changed nothing in the checkout but dist/');
  const tarball = join(work, `kreroute-${VERSION}.tgz`);
  const files = (await run('tar', ['-tzf', tarball], work))
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ''));

  for (const file of [
    'package.json',
    'LICENSE',
    'README.md',
    'dist/bin/kreroute.mjs',
    'dist/bin/cli.mjs',
    'dist/index.js',
    'dist/index.d.ts',
    'kafka/pom.xml',
  ]) {
    assert.ok(files.includes(file), `${file} is in the package`);
  }
  const docs = await docsMentionedBySources();
  assert.ok(docs.includes('docs/errors.md'), `the sources mention docs/errors.md: ${docs.join(', ')}`);
  for (const doc of docs) assert.ok(files.includes(doc), `${doc}, which kreroute's messages name, is in the package`);
  assert.deepEqual(
    files.filter((file) => file.endsWith('.map')),
    [],
    'no source maps in the package',
  );
  assert.deepEqual(
    files.filter((file) => /^(src|test|scripts|bench|deploy|node_modules|\.tools|\.cache)\//.test(file)),
    [],
    'no sources, tests or tools',
  );
  assert.match(await readFile(join(ROOT, 'LICENSE'), 'utf8'), /^\s+Apache License\n\s+Version 2\.0, January 2004\n[\s\S]+END OF TERMS AND CONDITIONS/);
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { license: string; repository?: { url?: string } };
  assert.equal(pkg.license, 'Apache-2.0');
  assert.match(pkg.repository?.url ?? '', /^git\+https:\/\/.+\.git$/);

  // The user's home: their npm cache and their global prefix, as `npm config set prefix ~/.local` sets it.
  const uid = process.getuid?.() === 0 ? await nobodyIfTheyCanRunNode(t) : undefined;
  const home = join(work, 'home');
  await mkdir(home);
  if (uid !== undefined) await chown(home, uid, uid);
  const prefix = join(home, '.local');
  const user: Run = { uid, env: { HOME: home, npm_config_cache: join(home, '.npm'), npm_config_prefix: prefix } };
  t.diagnostic(`installing as uid ${uid ?? process.getuid?.()}`);
  await run('npm', ['install', '--global', '--no-audit', '--no-fund', '--loglevel=error', tarball], home, user);

  const installed = join(prefix, 'lib', 'node_modules', 'kreroute');
  const kreroute = join(prefix, 'bin', 'kreroute');
  assert.equal((await run(kreroute, ['--version'], home, user)).trim(), VERSION);
  const help = await run(kreroute, ['--help'], home, user);
  assert.match(help, /^Usage: kreroute /);
  const copyHelp = await run(kreroute, ['copy', '--help'], home, user);
  assert.match(copyHelp, /^Usage: kreroute copy /);
  // The help names the installed copy's docs by their full path; every doc a message names is there.
  const errorsDoc = join(installed, 'docs', 'errors.md');
  assert.ok(help.includes(`\nExit codes and what to do: ${errorsDoc}\n`), `--help names ${errorsDoc}:\n${help}`);
  const printed = [...`${help}${copyHelp}`.matchAll(/\S*\bdocs\/[\w-]+\.md\b/g)].map(([doc]) => doc);
  for (const doc of printed) assert.ok(existsSync(doc.startsWith('/') ? doc : join(installed, doc)), `${doc}, named by --help, exists`);
  for (const doc of docs) assert.ok(existsSync(join(installed, doc)), `${doc} is in the installed copy (${installed})`);

  const old = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .find((node) => Number(spawnSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim()) < 22);
  if (!old) {
    t.diagnostic('no Node older than 22 on PATH: the installed launcher was not tried with one (see node-version-check.test.ts)');
    return;
  }
  const refused = spawnSync(kreroute, ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: `${dirname(old)}${delimiter}${PATH}` } });
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /^kreroute: Node\.js \d+\.\d+\.\d+ is too old: kreroute needs Node\.js 22\.22 or newer \(.+\)\n$/);
});

test('npm run kreroute -- --version in a checkout runs the sources without the test bootstrap', { timeout: 120_000 }, async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'kreroute-npm-run-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  // What the bootstrap reaches for (a package install, the Kafka jars): each leaves a mark and fails.
  const fakes = join(work, 'bin');
  await mkdir(fakes);
  const marks = join(work, 'marks');
  for (const tool of ['apt-get', 'mvn']) {
    await writeFile(join(fakes, tool), `#!/bin/sh\necho "${tool} $*" >> '${marks}'\nexit 1\n`, { mode: 0o755 });
  }
  const cache = join(work, 'cache');

  const { stdout, stderr } = await execFile('npm', ['run', '--silent', 'kreroute', '--', '--version'], {
    cwd: ROOT,
    env: { ...ENV, PATH: `${fakes}${delimiter}${PATH}`, KREROUTE_CACHE_DIR: cache },
    timeout: 60_000,
  });
  assert.equal(stdout.trim(), VERSION);
  assert.doesNotMatch(`${stdout}${stderr}`, /bootstrap:/);
  assert.equal(existsSync(marks), false, `called: ${existsSync(marks) ? await readFile(marks, 'utf8') : ''}`);
  assert.equal(existsSync(cache), false, 'the Kafka jars cache was not touched');
});
