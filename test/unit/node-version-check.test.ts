// The bundled launcher refuses a Node older than package.json's engines with one line and exit 2,
// before anything else loads (on Node 20 a static import of what it lacks would fail to start).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { launcherSource, minimumNode } from '../../scripts/bundle-cli.ts';

const minimum = await minimumNode();

/** Every `node` on PATH older than kreroute supports (the machine's Node 20, say). */
function oldNodes(): Array<{ path: string; version: string }> {
  const paths = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const found = paths.map((path) => ({ path, version: spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '') }));
  return found.filter(({ version }) => {
    const [major = 0, minor = 0] = version.split('.').map(Number);
    return version !== '' && (major < minimum[0] || (major === minimum[0] && minor < minimum[1]));
  });
}

async function launcherDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-launcher-'));
  await writeFile(join(dir, 'kreroute.mjs'), launcherSource(minimum));
  // Stand for the malloc check and the bundle: say that they ran.
  await writeFile(join(dir, 'malloc-env.mjs'), "export function runWithTunedMalloc() { process.stdout.write('malloc checked\\n'); }\n");
  await writeFile(join(dir, 'cli.mjs'), "process.stdout.write('cli loaded\\n');\n");
  return dir;
}

test('the minimum is package.json engines.node', () => {
  assert.deepEqual(minimum, [22, 22]);
});

test('an old Node: one line naming the version found and the one needed, exit 2, nothing loaded', async (t) => {
  const old = oldNodes()[0];
  if (!old) {
    t.skip(`no Node older than ${minimum.join('.')} on PATH (which -a node) to try the launcher with`);
    return;
  }
  const dir = await launcherDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = spawnSync(old.path, [join(dir, 'kreroute.mjs'), '--version'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '', 'the bundle was not loaded');
  assert.equal(
    run.stderr,
    `kreroute: Node.js ${old.version} is too old: kreroute needs Node.js ${minimum.join('.')} or newer (${execFileSync(old.path, ['-p', 'process.execPath'], { encoding: 'utf8' }).trim()})\n`,
  );
});

test('a supported Node checks the malloc settings, then goes on to the bundle', async (t) => {
  const dir = await launcherDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, [join(dir, 'kreroute.mjs')], { encoding: 'utf8' });
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, 'malloc checked\ncli loaded\n');
  assert.equal(run.status, 0);
});
