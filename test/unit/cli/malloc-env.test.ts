import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MALLOC_MARK, MALLOC_SETTINGS, missingV8Flags, tunedMallocEnvironment } from '../../../src/cli/malloc-env.ts';

test('a long command on Linux runs again with the malloc settings and the mark', () => {
  const env = tunedMallocEnvironment({ PATH: '/bin' }, 'linux', ['--json', 'copy', 'job.plan.json']);
  assert.deepEqual(env, { PATH: '/bin', ...MALLOC_SETTINGS, [MALLOC_MARK]: '1' });
});

test('runs on as is: once marked, turned off, not Linux, a short command, or malloc set by the user', () => {
  assert.equal(tunedMallocEnvironment({ [MALLOC_MARK]: '1' }, 'linux', ['copy']), null);
  assert.equal(tunedMallocEnvironment({ [MALLOC_MARK]: '0' }, 'linux', ['copy']), null);
  assert.equal(tunedMallocEnvironment({}, 'darwin', ['copy']), null);
  assert.equal(tunedMallocEnvironment({}, 'linux', ['status', 'job.plan.json']), null);
  assert.equal(tunedMallocEnvironment({}, 'linux', ['--version']), null);
  assert.equal(tunedMallocEnvironment({ MALLOC_ARENA_MAX: '4' }, 'linux', ['verify']), null);
  assert.equal(tunedMallocEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' }, 'linux', ['plan']), null);
});

test('the process itself goes on under the same pid with the settings, its arguments and node flags kept', { skip: process.platform !== 'linux' }, () => {
  const module = fileURLToPath(new URL('../../../src/cli/malloc-env.ts', import.meta.url));
  const script = `import { runWithTunedMalloc } from ${JSON.stringify(module)};
const before = process.env.${MALLOC_MARK} ? Number(process.env.BEFORE_PID) : process.pid;
process.env.BEFORE_PID = String(process.pid);
runWithTunedMalloc();
console.log(JSON.stringify({ pid: process.pid, before, arena: process.env.MALLOC_ARENA_MAX, args: process.argv.slice(2), flags: process.execArgv.filter((f) => f.startsWith('--max')) }));`;
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('MALLOC_') && name !== MALLOC_MARK && name !== 'GLIBC_TUNABLES'),
  );
  const dir = mkdtempSync(join(tmpdir(), 'kreroute-malloc-'));
  const file = join(dir, 'main.mjs');
  writeFileSync(file, script);
  const result = spawnSync(process.execPath, ['--max-semi-space-size=8', file, 'verify', 'x.plan.json'], { encoding: 'utf8', env: clean, timeout: 30_000 });
  // Without the semi-space flag of its own, the command runs again with kreroute's (V8_FLAGS).
  const added = spawnSync(process.execPath, ['--max-old-space-size=300', file, 'copy'], { encoding: 'utf8', env: clean, timeout: 30_000 });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(added.status, 0, added.stderr);
  assert.deepEqual((JSON.parse(added.stdout.trim()) as { flags: string[] }).flags, ['--max-semi-space-size=8', '--max-old-space-size=300']);
  assert.equal(result.status, 0, result.stderr);
  const seen = JSON.parse(result.stdout.trim()) as { pid: number; before: number; arena: string; args: string[]; flags: string[] };
  assert.equal(seen.pid, seen.before, 'replaced, not a child: the same pid');
  assert.equal(seen.arena, MALLOC_SETTINGS['MALLOC_ARENA_MAX']);
  assert.deepEqual(seen.args, ['verify', 'x.plan.json']);
  assert.deepEqual(seen.flags, ['--max-semi-space-size=8']);
});

test("V8's semi-space cap is added unless the command line or NODE_OPTIONS sets it", () => {
  assert.deepEqual(missingV8Flags([], undefined), ['--max-semi-space-size=8']);
  assert.deepEqual(missingV8Flags(['--enable-source-maps'], '--no-warnings'), ['--max-semi-space-size=8']);
  assert.deepEqual(missingV8Flags(['--max-semi-space-size=32'], undefined), []);
  assert.deepEqual(missingV8Flags([], '--max-semi-space-size=2 --no-warnings'), []);
  assert.deepEqual(missingV8Flags([], '--max_semi_space_size=2'), []);
});
