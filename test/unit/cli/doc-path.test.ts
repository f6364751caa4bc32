import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { docPath } from '../../../src/cli/doc-path.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('from the sources, a doc is the checkout’s docs/<name>', () => {
  assert.equal(docPath('errors.md'), join(ROOT, 'docs', 'errors.md'));
});

test('from an installed package’s dist/bin/, a doc is the package’s docs/<name>; docs/<name> when there is none', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-doc-path-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bin = join(dir, 'node_modules', 'kreroute', 'dist', 'bin');
  await mkdir(bin, { recursive: true });
  assert.equal(docPath('errors.md', bin), 'docs/errors.md');
  await mkdir(join(dir, 'node_modules', 'kreroute', 'docs'));
  await writeFile(join(dir, 'node_modules', 'kreroute', 'docs', 'errors.md'), '# Errors\n');
  assert.equal(docPath('errors.md', bin), join(dir, 'node_modules', 'kreroute', 'docs', 'errors.md'));
});
