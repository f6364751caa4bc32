import { parseArgs } from 'node:util';
import { allProfiles } from '../profiles.ts';

/** The profiles over PLAINTEXT: the copies here reach the brokers as the loader does. */
const PROFILES = allProfiles(false)
  .filter((p) => p.listener === undefined)
  .map((p) => p.name);

/** One build of kreroute to compare: a checkout (its own node_modules installed) and the environment it runs with. */
export interface Variant {
  name: string;
  /** The checkout's root: its scripts/bundle-cli.ts builds the bundle that runs. */
  tree: string;
  env: Record<string, string>;
}

export interface AbOptions {
  /** The first is the reference the others are compared with. */
  variants: Variant[];
  profiles: string[];
  rounds: number;
  stepTimeoutMs: number;
}

export const USAGE = `Usage: npm run bench:ab -- --variant NAME=DIR[,ENV=VALUE…] --variant … [options]

  --variant NAME=DIR[,ENV=VALUE…]
                         a build to compare: the checkout DIR (. for this one; another commit:
                         git worktree add ../old <commit> && (cd ../old && bash scripts/bootstrap.sh)),
                         run with the environment variables given; at least two, the first the reference
  --profiles a,b         profiles to copy: ${PROFILES.join(', ')} (default 1kib)
  --rounds N             copies per variant and profile, the variants in turns (default 8)
  --step-timeout-min M   bound on each load and each copy (default 20)`;

export function parseAbOptions(argv: string[]): AbOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      variant: { type: 'string', multiple: true, default: [] },
      profiles: { type: 'string', default: '1kib' },
      rounds: { type: 'string', default: '8' },
      'step-timeout-min': { type: 'string', default: '20' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const variants = values.variant.map(parseVariant);
  if (variants.length < 2) throw new Error('--variant: give at least two builds to compare, e.g. --variant base=../old --variant new=.');
  const names = variants.map((v) => v.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`--variant: the name "${twice}" is given twice`);
  const profiles = values.profiles.split(',').filter(Boolean);
  const unknown = profiles.filter((p) => !PROFILES.includes(p));
  if (unknown.length > 0 || profiles.length === 0)
    throw new Error(`--profiles: unknown ${unknown.join(', ') || '(empty)'}; choose from ${PROFILES.join(', ')}`);
  return {
    variants,
    profiles,
    rounds: positiveInteger('--rounds', values.rounds),
    stepTimeoutMs: positiveInteger('--step-timeout-min', values['step-timeout-min']) * 60_000,
  };
}

function parseVariant(text: string): Variant {
  const at = text.indexOf('=');
  const name = text.slice(0, at);
  const [tree, ...settings] = text.slice(at + 1).split(',');
  if (at <= 0 || !/^[\w.-]+$/.test(name) || !tree) throw new Error(`--variant: "${text}" is not NAME=DIR[,ENV=VALUE…] (NAME of letters, digits, . _ -)`);
  const env: Record<string, string> = {};
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    if (eq <= 0) throw new Error(`--variant ${name}: "${setting}" is not ENV=VALUE`);
    env[setting.slice(0, eq)] = setting.slice(eq + 1);
  }
  return { name, tree, env };
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag}: "${text}" is not a positive whole number`);
  return n;
}
