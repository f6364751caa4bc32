// The error documentation must follow src/common/errors.ts: every code, with its exit code; the README's
// client properties table must list every key kreroute reads (src/config/known-keys.ts).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import test from 'node:test';
import { HANDLED_KEYS } from '../../src/config/known-keys.ts';
import { ERROR_CODES } from '../../src/common/errors.ts';

const root = new URL('../../', import.meta.url);
const [errorsDoc, readme] = await Promise.all([readFile(new URL('docs/errors.md', root), 'utf8'), readFile(new URL('README.md', root), 'utf8')]);

test('docs/errors.md has a row for every error code with its exit code', () => {
  for (const [code, { exit }] of Object.entries(ERROR_CODES)) {
    const row = errorsDoc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row, `docs/errors.md has no row for ${code}`);
    assert.match(row, new RegExp(`^\\| \`${code}\` \\| ${exit}\\b`), `docs/errors.md gives ${code} another exit code than ${exit}`);
  }
});

test('the README exit code table lists every code under its exit code', () => {
  const rows = readme.split('## Exit codes')[1]?.split('\n## ')[0]?.split('\n') ?? [];
  for (const [code, { exit }] of Object.entries(ERROR_CODES)) {
    const row = rows.find((line) => line.includes(`\`${code}\``));
    assert.ok(row, `the README exit code table has no ${code}`);
    assert.match(row, new RegExp(`^\\| ${exit}\\b`), `the README lists ${code} under another exit code than ${exit}`);
  }
});

test('the README client properties table lists every key kreroute reads', () => {
  const section = readme.split('### Client properties file')[1]?.split('\n### ')[0] ?? '';
  const keyCells = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split(' | ')[0] ?? '');
  const listed = new Set(keyCells.flatMap((cell) => [...cell.matchAll(/`([a-z0-9.]+)`/g)].map((m) => m[1])));
  const missing = [...HANDLED_KEYS].filter((key) => !listed.has(key));
  assert.deepEqual(missing, [], 'keys read by kreroute but missing from the README table');
});
