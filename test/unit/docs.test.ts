// The documentation must follow the code: docs/errors.md every code of src/common/errors.ts with its
// exit code; docs/configuration.md's client properties table every key kreroute reads
// (src/config/known-keys.ts); docs/commands.md every flag of every command. The README stays short
// (at most 12 KB), every command its shell examples run exists with every flag they give it, and
// every relative link of the README, CONTRIBUTING.md, examples/README.md and docs/*.md resolves,
// down to the heading it names.
import assert from 'node:assert/strict';
import { execFile as execFileCallback } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HANDLED_KEYS } from '../../src/config/known-keys.ts';
import { ERROR_CODES } from '../../src/common/errors.ts';

const execFile = promisify(execFileCallback);
const root = new URL('../../', import.meta.url);
const ROOT = fileURLToPath(root);
const README_MAX_BYTES = 12 * 1024;
const read = (path: string) => readFile(new URL(path, root), 'utf8');
const [errorsDoc, readme, configurationDoc, commandsDoc] = await Promise.all([
  read('docs/errors.md'),
  read('README.md'),
  read('docs/configuration.md'),
  read('docs/commands.md'),
]);

test('docs/errors.md has a row for every error code with its exit code', () => {
  for (const [code, { exit }] of Object.entries(ERROR_CODES)) {
    const row = errorsDoc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row, `docs/errors.md has no row for ${code}`);
    assert.match(row, new RegExp(`^\\| \`${code}\` \\| ${exit}\\b`), `docs/errors.md gives ${code} another exit code than ${exit}`);
  }
});

test('the client properties table of docs/configuration.md lists every key kreroute reads', () => {
  const section = configurationDoc.split('\n## Client properties file\n')[1]?.split(/\n#{2,3} /)[0] ?? '';
  const keyCells = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split(' | ')[0] ?? '');
  const listed = new Set(keyCells.flatMap((cell) => [...cell.matchAll(/`([a-z0-9.]+)`/g)].map((m) => m[1])));
  const missing = [...HANDLED_KEYS].filter((key) => !listed.has(key));
  assert.deepEqual(missing, [], 'keys read by kreroute but missing from the table in docs/configuration.md');
});

test(`README.md stays at most ${README_MAX_BYTES} bytes (12 KB): the rest belongs in docs/`, () => {
  const bytes = Buffer.byteLength(readme, 'utf8');
  assert.ok(bytes <= README_MAX_BYTES, `README.md is ${bytes} bytes, over ${README_MAX_BYTES}: move the detail to docs/ and link to it`);
});

/** `kreroute [command] --help` as printed by the CLI of this checkout. */
async function help(...args: string[]): Promise<string> {
  return (await execFile(process.execPath, [join(ROOT, 'src/cli/main.ts'), ...args, '--help'], { cwd: ROOT })).stdout;
}

/** The command names `kreroute --help` lists (without help). */
async function commandNames(): Promise<string[]> {
  return [
    ...(await help())
      .split('\nCommands:\n')[1]!
      .split('\n\n')[0]!
      .matchAll(/^ {2}([a-z]+) /gm),
  ]
    .map((m) => m[1]!)
    .filter((name) => name !== 'help');
}

test('docs/commands.md names every command and every flag that `kreroute <command> --help` lists', async () => {
  const commands = await commandNames();
  assert.ok(commands.length >= 5, `no commands found in kreroute --help: ${commands.join(', ')}`);
  const missing: string[] = [];
  for (const command of commands) {
    if (!commandsDoc.includes(`\n## ${command}\n`)) missing.push(`## ${command}`);
    for (const [flag] of (await help(command)).matchAll(/--[a-z][a-z-]*/g)) {
      if (flag !== '--help' && !new RegExp(`${flag}(?![a-z-])`).test(commandsDoc)) missing.push(`${command} ${flag}`);
    }
  }
  assert.deepEqual([...new Set(missing)], [], 'commands or flags missing from docs/commands.md');
});

/** Each `kreroute …` (or `npm run kreroute -- …`) a shell code block of the markdown runs, as its words. */
function kreroutesRun(markdown: string): string[][] {
  const runs: string[][] = [];
  for (const [, block] of markdown.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)) {
    for (const line of block!.replace(/\\\n\s*/g, ' ').split('\n')) {
      for (const part of line.replace(/(^|\s)#.*$/, '').split(/&&|\|\||[;|]/)) {
        const words = /(?:^|\s)(?:npm run (?:--silent )?kreroute --|kreroute)\s+(.*)$/.exec(part)?.[1]?.trim().split(/\s+/);
        if (words) runs.push(words);
      }
    }
  }
  return runs;
}

test('every `kreroute` command the README runs exists, with every flag it gives', async () => {
  const commands = await commandNames();
  const helps = new Map<string, string>([['', await help()]]);
  const runs = kreroutesRun(readme);
  assert.ok(runs.length >= 8, `only ${runs.length} kreroute commands found in the README's code blocks: is the pattern still right?`);
  const wrong: string[] = [];
  for (const words of runs) {
    const command = words.find((word) => !word.startsWith('-')) ?? '';
    if (command !== '' && !commands.includes(command)) {
      wrong.push(`kreroute ${words.join(' ')}: no command ${command}`);
      continue;
    }
    if (!helps.has(command)) helps.set(command, await help(command));
    const known = `${helps.get('')}\n${helps.get(command)}`;
    for (const flag of words.filter((word) => word.startsWith('-')).map((word) => word.split('=')[0]!)) {
      const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (!new RegExp(`(^|[\\s,])${escaped}([\\s,]|$)`, 'm').test(known)) wrong.push(`kreroute ${words.join(' ')}: no flag ${flag}`);
    }
  }
  assert.deepEqual(wrong, [], 'commands or flags in the README that kreroute --help does not know');
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of withoutCode(markdown).split('\n')) {
    const heading = /^#{1,6} (.+?)#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** The text without fenced code blocks and inline code, where brackets are no links. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

test('every relative link of README.md, CONTRIBUTING.md, examples/README.md and docs/*.md resolves, with its #heading', async () => {
  const docs = (await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => join('docs', name));
  const files = ['README.md', 'CONTRIBUTING.md', 'examples/README.md', ...docs];
  const broken: string[] = [];
  let checked = 0;
  for (const file of files) {
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const [, target] of withoutCode(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // https:, mailto: …
      checked += 1;
      const [pathPart = '', fragment] = target!.split('#');
      const resolved = pathPart === '' ? join(ROOT, file) : join(dirname(join(ROOT, file)), decodeURIComponent(pathPart));
      if (!(await exists(resolved))) {
        broken.push(`${file}: ${target} (no ${relative(ROOT, resolved)})`);
        continue;
      }
      if (fragment !== undefined && resolved.endsWith('.md') && !anchors(await readFile(resolved, 'utf8')).has(fragment)) {
        broken.push(`${file}: ${target} (no heading #${fragment} in ${relative(ROOT, resolved)})`);
      }
    }
  }
  assert.ok(checked > 20, `only ${checked} relative links found: is the link pattern still right?`);
  assert.deepEqual(broken, [], 'relative links that do not resolve');
});
