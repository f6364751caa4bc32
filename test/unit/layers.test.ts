// The layer rules of .dependency-cruiser.cjs (run by `npm run lint`) on a small tree of the target
// layout: it passes as built, and each kind of wrong import added to it is an error naming the rule.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/** Each folder of the layout and the folders its module imports: every import allowed. */
const ALLOWED_TREE: Record<string, string[]> = {
  common: [],
  'kafka/wire': ['common'],
  'kafka/net': ['kafka/wire'],
  'kafka/net/sasl': ['kafka/net'],
  'kafka/client': ['kafka/net/sasl'],
  'kafka/fetch': ['kafka/client'],
  'kafka/produce': ['kafka/client'],
  config: ['kafka/fetch', 'kafka/produce'],
  plan: ['config'],
  checkpoint: ['plan'],
  shard: ['checkpoint'],
  copy: ['shard'],
  verify: ['shard'],
  offsets: ['copy', 'verify'],
  purge: ['offsets'],
  reroute: ['purge'],
  workers: ['reroute'],
  local: ['common'],
  demo: ['workers', 'local'],
  cli: ['demo', 'common'],
};

async function write(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, file)), { recursive: true });
  await writeFile(join(dir, file), text);
}

/** `import … from` the module of folder `to`, as written in a module of folder `from`. */
function importOf(from: string, to: string, name: string, typeOnly = false): string {
  const up = relative(join('src', from), join('src', to, 'm.ts'));
  const path = up.startsWith('.') ? up : `./${up}`;
  return typeOnly ? `import type { T as ${name} } from '${path}';\n` : `import { v as ${name} } from '${path}';\n`;
}

async function layoutTree(t: test.TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-layers-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [folder, imports] of Object.entries(ALLOWED_TREE)) {
    const lines = imports.map((to, i) => importOf(folder, to, `m${i}`));
    await write(dir, `src/${folder}/m.ts`, `${lines.join('')}export const v = 1;\nexport type T = number;\n`);
  }
  await write(dir, 'src/index.ts', "export { v } from './cli/m.ts';\n");
  return dir;
}

/** dependency-cruiser with the project's configuration on `dir`'s src/: its exit code and its report. */
function cruise(dir: string): { code: number | null; report: string } {
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'err'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, report: `${run.stdout}${run.stderr}` };
}

test('a tree in the layer order passes, every module cruised', async (t) => {
  const dir = await layoutTree(t);
  const { code, report } = cruise(dir);
  assert.equal(code, 0, report);
  assert.match(report, new RegExp(`no dependency violations found \\(${Object.keys(ALLOWED_TREE).length + 1} modules`), report);
});

test('an upward import is an error naming the layer rule', async (t) => {
  const dir = await layoutTree(t);
  await write(dir, 'src/kafka/wire/upward.ts', `${importOf('kafka/wire', 'copy', 'up')}export const w = up;\n`);
  await write(dir, 'src/plan/upward.ts', `${importOf('plan', 'checkpoint', 'up')}export const w = up;\n`);
  const { code, report } = cruise(dir);
  assert.notEqual(code, 0, report);
  assert.match(report, /error layer-kafka-wire: src\/kafka\/wire\/upward\.ts → src\/copy\/m\.ts/);
  assert.match(report, /error layer-plan: src\/plan\/upward\.ts → src\/checkpoint\/m\.ts/);
});

test('a type-only import and a dynamic import count as imports', async (t) => {
  const dir = await layoutTree(t);
  await write(dir, 'src/plan/types.ts', `${importOf('plan', 'copy', 'Up', true)}export const x: Up = 1;\n`);
  await write(dir, 'src/kafka/client/later.ts', "export const later = async () => (await import('../../workers/m.ts')).v;\n");
  const { code, report } = cruise(dir);
  assert.notEqual(code, 0, report);
  assert.match(report, /error layer-plan: src\/plan\/types\.ts → src\/copy\/m\.ts/);
  assert.match(report, /error layer-kafka-client: src\/kafka\/client\/later\.ts → src\/workers\/m\.ts/);
});

test('siblings, sub-layers, local, index and common keep to their rules', async (t) => {
  const dir = await layoutTree(t);
  await write(dir, 'src/copy/sibling.ts', `${importOf('copy', 'verify', 'x')}export const s = x;\n`);
  await write(dir, 'src/kafka/fetch/sibling.ts', `${importOf('kafka/fetch', 'kafka/produce', 'x')}export const s = x;\n`);
  await write(dir, 'src/kafka/net/up.ts', `${importOf('kafka/net', 'kafka/net/sasl', 'x')}export const s = x;\n`);
  await write(dir, 'src/plan/brokers.ts', `${importOf('plan', 'local', 'x')}export const s = x;\n`);
  await write(dir, 'src/cli/api.ts', "import { v } from '../index.ts';\nexport const s = v;\n");
  await write(dir, 'src/common/up.ts', `${importOf('common', 'kafka/wire', 'x')}export const s = x;\n`);
  await write(dir, 'src/scan/stray.ts', 'export const v = 1;\n');
  await write(dir, 'src/shard/stray-user.ts', "import { v } from '../scan/stray.ts';\nexport const s = v;\n");
  const { code, report } = cruise(dir);
  assert.notEqual(code, 0, report);
  for (const line of [
    'layer-copy: src/copy/sibling.ts → src/verify/m.ts',
    'layer-kafka-fetch: src/kafka/fetch/sibling.ts → src/kafka/produce/m.ts',
    'layer-kafka-net: src/kafka/net/up.ts → src/kafka/net/sasl/m.ts',
    'local-only-from-demo: src/plan/brokers.ts → src/local/m.ts',
    'index-is-the-top: src/cli/api.ts → src/index.ts',
    'common-imports-nothing: src/common/up.ts → src/kafka/wire/m.ts',
    'layer-shard: src/shard/stray-user.ts → src/scan/stray.ts',
  ]) {
    assert.ok(report.includes(`error ${line}`), `expected "${line}" in:\n${report}`);
  }
});

test('an import cycle inside one folder is an error', async (t) => {
  const dir = await layoutTree(t);
  await write(dir, 'src/verify/a.ts', "import { b } from './b.ts';\nexport const a = (): number => b();\n");
  await write(dir, 'src/verify/b.ts', "import { a } from './a.ts';\nexport const b = (): number => a();\n");
  const { code, report } = cruise(dir);
  assert.notEqual(code, 0, report);
  assert.match(report, /error no-circular: src\/verify\/a\.ts →\s+src\/verify\/b\.ts →\s+src\/verify\/a\.ts/);
});
