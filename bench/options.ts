import { parseArgs } from 'node:util';
import { profileNames } from './profiles.ts';

export const TOOL_NAMES = [
  'kreroute',
  'kreroute-filter',
  'kreroute-records',
  'kreroute-job',
  'kcat',
  'kcat-topic',
  'kcat-grep',
  'kcat-job',
  'kcat-topic-job',
  'mm2',
  'consumer-perf',
  'producer-perf',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
/** The tools that run kreroute's CLI (and so need the bundle, with the default driver). */
export const CLI_TOOLS: readonly ToolName[] = ['kreroute', 'kreroute-filter', 'kreroute-job'];

export interface BenchOptions {
  quick: boolean;
  runs: number;
  profiles: string[];
  tools: ToolName[];
  /** Bound on every step (loading a profile, one run of one tool). */
  stepTimeoutMs: number;
  /** How kreroute's copy runs: the CLI bundle built at start, the CLI from source, or the library. */
  kreroute: 'bundle' | 'source' | 'library';
  /** Run kreroute's copy under `node --cpu-prof` (slows it; for finding where its time goes, not for numbers). */
  cpuProf: boolean;
  /** Before each run, wait up to this long for the machine to go quiet (0: do not wait). */
  waitQuietMs: number;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick                counts ÷ 10, one run per tool unless --runs is given
  --runs N               runs per tool and profile; the table shows medians (default 3, quick 1)
  --profiles a,b         profiles to run: ${profileNames().join(', ')} (default all)
  --tools x,y            tools to run: ${TOOL_NAMES.join(', ')} (default all)
  --step-timeout-min M   bound on each load and each run (default 20)
  --kreroute-driver D    how kreroute's copy runs: bundle (the default) builds the CLI bundle once at
                         start (scripts/bundle-cli.ts, what \`npm run build\` ships) and runs it; source
                         runs node src/cli/main.ts; library runs bench/run-kreroute.ts (copyPlan;
                         kreroute-records always does; kreroute-job then runs the CLI from source)
  --cpu-prof             write a V8 CPU profile of every kreroute copy into its log folder (slows the
                         copy: use it to see where the time goes, not for the table); read one with
                         node bench/cpu-profile-top.ts FILE
  --wait-quiet-s S       before each run, wait up to S seconds until the machine is nearly idle
                         (for a machine others use too; default 0: do not wait)
  --help                 this text`;

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      profiles: { type: 'string' },
      tools: { type: 'string' },
      'step-timeout-min': { type: 'string', default: '20' },
      'kreroute-driver': { type: 'string', default: 'bundle' },
      'cpu-prof': { type: 'boolean', default: false },
      'wait-quiet-s': { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const list = (value: string | undefined, allowed: readonly string[], what: string): string[] => {
    if (value === undefined) return [...allowed];
    const names = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !allowed.includes(n));
    if (unknown.length > 0 || names.length === 0) throw new Error(`--${what}: unknown ${unknown.join(', ') || '(empty)'}; choose from ${allowed.join(', ')}`);
    return names;
  };
  const positive = (value: string, what: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${what}: expected a positive number, got ${value}`);
    return n;
  };
  const nonNegative = (value: string, what: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${what}: expected a number ≥ 0, got ${value}`);
    return n;
  };
  const driver = values['kreroute-driver'];
  if (driver !== 'bundle' && driver !== 'source' && driver !== 'library') throw new Error(`--kreroute-driver: bundle, source or library, got ${driver}`);
  return {
    quick: values.quick,
    runs: values.runs === undefined ? (values.quick ? 1 : 3) : Math.floor(positive(values.runs, 'runs')),
    profiles: list(values.profiles, profileNames(), 'profiles'),
    tools: list(values.tools, TOOL_NAMES, 'tools') as ToolName[],
    stepTimeoutMs: positive(values['step-timeout-min'], 'step-timeout-min') * 60_000,
    kreroute: driver,
    cpuProf: values['cpu-prof'],
    waitQuietMs: nonNegative(values['wait-quiet-s'], 'wait-quiet-s') * 1000,
  };
}
