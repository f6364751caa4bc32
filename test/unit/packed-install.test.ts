// The package as a user gets it: built as `npm run build` builds it, packed with `npm pack`,
// installed from the tarball into an empty prefix (dependencies from the npm registry), and run
// from there. An older Node is refused by the installed launcher with one line.
import assert from 'node:assert/strict';
import { execFile as execFileCallback, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleCli } from '../../scripts/bundle-cli.ts';
import { VERSION } from '../../src/common/version.ts';

const execFile = promisify(execFileCallback);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Node 24's own npm and tsc, whatever else is on PATH.
const PATH = `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`;
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'];

/** Runs a command to its end; its output, or an error that shows it. */
async function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await execFile(file, args, { cwd, env: { ...process.env, PATH, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

test('npm pack, npm install of the tarball into an empty prefix: kreroute --version and plan --help answer', { timeout: 180_000 }, async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'kreroute-packed-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  // The package's files (package.json "files") with dist built as `npm run build` does, outside the checkout.
  const staging = join(work, 'package');
  await mkdir(staging);
  for (const entry of ['package.json', 'README.md', 'kafka']) await cp(join(ROOT, entry), join(staging, entry), { recursive: true });
  await run(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json'), '--outDir', join(staging, 'dist')],
    ROOT,
  );
  await bundleCli({ outDir: join(staging, 'dist', 'bin') });
  await run('npm', ['pack', '--pack-destination', work, '--loglevel=error'], staging);
  const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
  assert.equal(tarball, `kreroute-${VERSION}.tgz`);

  const prefix = join(work, 'prefix');
  await mkdir(prefix);
  await run('npm', ['install', '--prefix', prefix, '--omit=dev', ...NPM_FLAGS, join(work, tarball)], work);
  const kreroute = join(prefix, 'node_modules', '.bin', 'kreroute');
  assert.equal((await run(kreroute, ['--version'], work)).trim(), VERSION);
  assert.match(await run(kreroute, ['plan', '--help'], work), /^Usage: kreroute plan /);

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
