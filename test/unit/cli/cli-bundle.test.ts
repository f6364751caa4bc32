// The CLI as `npm run build` ships it: esbuild's bundle (scripts/bundle-cli.ts), built into a
// temporary folder, must answer as `node src/cli/main.ts` does, and keep main.ts's order: ajv
// patched (lazy-validators.ts) before the Kafka client library compiles its option schemas.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { DEFAULT_OUT_DIR, bundleCli } from '../../../scripts/bundle-cli.ts';
import { offlinePlan } from '../../support/offline-plan.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
// Inside the checkout (tmp/ is git-ignored): the bundle imports @node-rs/crc32 from the node_modules above it.
await mkdir(join(ROOT, 'tmp'), { recursive: true });
const dir = await mkdtemp(join(ROOT, 'tmp', 'cli-bundle-'));
test.after(() => rm(dir, { recursive: true, force: true }));

/** A sealed plan whose copy is refused (OVERLAP) after the Kafka client library is loaded, before any connection. */
const overlapPlan = join(dir, 'overlap.plan.json');
await writeFile(
  overlapPlan,
  JSON.stringify(offlinePlan({ checks: [{ level: 'error', code: 'OVERLAP', topic: 'orders', partition: 0, message: 'orders/0 has newer records' }] })),
);

function run(script: string, args: string[], nodeFlags: string[] = []) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KREROUTE_')));
  const result = spawnSync(process.execPath, [...nodeFlags, script, ...args], { encoding: 'utf8', env: clean, cwd: dir, timeout: 30_000 });
  // --json lines carry the time they were written: the same in both runs for the comparison.
  const stdout = result.stdout.replace(/"time":"[^"]+"/g, '"time":"T"');
  return { code: result.status, stdout, stderr: result.stderr };
}

test('the bundle answers as the sources do: help, version, usage and input errors, a copy refused after loading the Kafka client', async () => {
  const built = await bundleCli({ outDir: join(dir, 'bundle') });
  assert.ok(built.bundleBytes > 100_000, `a bundle of ${built.bundleBytes} bytes`);
  assert.match(await readFile(built.launcher, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  assert.ok(((await stat(built.launcher)).mode & 0o111) !== 0, 'the launcher is executable');
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { bin: { kreroute: string } };
  assert.equal(pkg.bin.kreroute, relative(ROOT, join(DEFAULT_OUT_DIR, basename(built.launcher))), 'package.json bin names the launcher npm run build writes');

  const cases: string[][] = [
    ['--version'],
    ['--help'],
    ['plan', '--help'],
    [],
    ['plan', '--source', 'kafka', '--destination', 'b:1', '--topic', 'orders', '--out', 'never.json'],
    ['copy', 'missing.plan.json', '--max-rate', 'fast'],
    ['copy', overlapPlan],
    ['--json', 'copy', overlapPlan],
  ];
  const fromBundle = cases.map((args) => run(built.launcher, args));
  cases.forEach((args, i) => assert.deepEqual(fromBundle[i], run(MAIN, args), `kreroute ${args.join(' ')}`));
  // Not two failures to start alike.
  assert.equal(fromBundle[1]?.code, 0);
  assert.match(fromBundle[1]?.stdout ?? '', /^Usage: kreroute /);
  assert.match(fromBundle[6]?.stderr ?? '', /^kreroute: OVERLAP: /);
});

/** Every schema ajv really compiles (Ajv.prototype.compile of ajv/dist/core.js), reported at exit. */
const COUNT_LINE = /^ajv compiles: (\d+)$/m;
const REPORT_AT_EXIT = "globalThis.ajvCompiles = 0; process.on('exit', () => process.stderr.write(`ajv compiles: ${globalThis.ajvCompiles}\\n`));";

/** For the sources: a module given to node --import, before main.ts loads. */
async function sourceCounter(): Promise<string> {
  const file = join(dir, 'count-ajv-compiles.mjs');
  await writeFile(
    file,
    `import { createRequire } from 'node:module';
const { default: Ajv } = createRequire(${JSON.stringify(join(ROOT, 'package.json'))})('ajv/dist/core.js');
const compile = Ajv.prototype.compile;
Ajv.prototype.compile = function (...args) { globalThis.ajvCompiles++; return compile.apply(this, args); };
${REPORT_AT_EXIT}
`,
  );
  return file;
}

/** For a bundle: the same count, written into ajv's compile as esbuild loads it. */
const countInBundle: Plugin = {
  name: 'count-ajv-compiles',
  setup(build) {
    build.onLoad({ filter: /[\\/]ajv[\\/]dist[\\/]core\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const method = '    compile(schema, _meta) {';
      if (!source.includes(method)) throw new Error(`ajv/dist/core.js has no "${method.trim()}" to count`);
      return { contents: `${source.replace(method, `${method} globalThis.ajvCompiles++;`)}\n${REPORT_AT_EXIT}\n`, loader: 'js' };
    });
  },
};

/** A bundle built without lazy-validators.ts: what the count shows when the patch comes too late. */
const withoutLazyValidators: Plugin = {
  name: 'without-lazy-validators',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]cli[\\/]lazy-validators\.ts$/ }, () => ({ contents: 'export {};', loader: 'ts' }));
  },
};

function compiles(result: ReturnType<typeof run>): number {
  assert.equal(result.code, 4, `copy refused with OVERLAP; stderr: ${result.stderr}`);
  const match = COUNT_LINE.exec(result.stderr);
  assert.ok(match, `a count of ajv compiles on stderr: ${result.stderr}`);
  return Number(match[1]);
}

test('in the bundle as in the sources, ajv is patched before the Kafka client library compiles its option schemas', async () => {
  const counted = await bundleCli({ outDir: join(dir, 'counted'), plugins: [countInBundle] });
  const eager = await bundleCli({ outDir: join(dir, 'eager'), plugins: [countInBundle, withoutLazyValidators] });
  const fromSource = compiles(run(MAIN, ['copy', overlapPlan], ['--import', await sourceCounter()]));
  const fromBundle = compiles(run(counted.launcher, ['copy', overlapPlan]));
  const unpatched = compiles(run(eager.launcher, ['copy', overlapPlan]));
  assert.equal(fromBundle, fromSource, 'the bundle compiles as many schemas as the sources');
  // The library compiles its option schemas when it is imported (38 in @platformatic/kafka 2.12), unless patched first.
  assert.ok(unpatched >= fromBundle + 10, `without the patch ${unpatched} compiles, with it ${fromBundle}`);
});

/** Reports on stderr each time the bundle itself is evaluated, and under which malloc mark. */
const reportLoads: Plugin = {
  name: 'report-bundle-loads',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]cli[\\/]main\.ts$/ }, async ({ path }) => {
      const source = (await readFile(path, 'utf8')).replace(/^#!.*\n/, '');
      return { contents: `process.stderr.write('bundle loaded, mark ' + process.env.KREROUTE_MALLOC_TUNED + '\\n');\n${source}`, loader: 'ts' };
    });
  },
};

test('a long command starts again with the malloc settings before the bundle loads, so it loads once', { skip: process.platform !== 'linux' }, async () => {
  const built = await bundleCli({ outDir: join(dir, 'loads'), plugins: [reportLoads] });
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KREROUTE_') && !k.startsWith('MALLOC_') && k !== 'GLIBC_TUNABLES'));
  const result = spawnSync(process.execPath, [built.launcher, 'copy', overlapPlan], { encoding: 'utf8', env, cwd: dir, timeout: 30_000 });
  assert.equal(result.status, 4, result.stderr);
  assert.deepEqual(result.stderr.match(/^bundle loaded.*$/gm), ['bundle loaded, mark 1']);
  // A short command runs as it started.
  const short = spawnSync(process.execPath, [built.launcher, '--version'], { encoding: 'utf8', env, cwd: dir, timeout: 30_000 });
  assert.deepEqual(short.stderr.match(/^bundle loaded.*$/gm), ['bundle loaded, mark undefined']);
});
