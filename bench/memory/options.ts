import { parseArgs } from 'node:util';

export interface MemoryOptions {
  /** Source sizes, ascending; the first is the reference the others are held to. */
  records: number[];
  valueBytes: number;
  driver: 'bundle' | 'source';
  /** Extra node flags for every kreroute step (e.g. --trace-gc), for finding what grows. */
  nodeFlags: string[];
  /** Write each step's memory every second and its /proc smaps at start and end (memory-trace.ts). */
  trace: boolean;
  /** producer-perf: Kafka's ProducerPerformance (fast, keyless records); records: bench/loader.ts's record-gen records. */
  loader: 'producer-perf' | 'records';
  /** Bound on one step (loading, plan, copy or verify). */
  stepTimeoutMs: number;
  /** Peak RSS every step must stay under. */
  limitBytes: number;
  /** How much more than at the first size a step may use at a larger one. */
  maxGrowth: number;
}

export const USAGE = `Usage: npm run bench:memory -- [options]

  --records a,b          source sizes in records, ascending (default 5000000,100000000)
  --value-bytes N        value size (default 100)
  --kreroute-driver D    bundle (the CLI as shipped, default) or source (node src/cli/main.ts)
  --node-flags="…"       extra node flags for every kreroute step, e.g. --node-flags=--trace-gc
  --trace                each step's memory every second and its /proc smaps at start and end
                         (bench/results/memory-<time>/<size>/<step>.samples.jsonl, .smaps-start, .smaps-end)
  --loader L             producer-perf (Kafka's ProducerPerformance: keyless 100-byte values, ~10×
                         faster, default) or records (bench/loader.ts: record-gen's keyed records)
  --limit-mb N           peak RSS limit for each step, in MB (default 300)
  --max-growth R         allowed growth over the first size, as a fraction (default 0.10)
  --step-timeout-min N   bound on each step (default 60)`;

export function parseMemoryOptions(argv: string[]): MemoryOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string', default: '5000000,100000000' },
      'value-bytes': { type: 'string', default: '100' },
      'kreroute-driver': { type: 'string', default: 'bundle' },
      'node-flags': { type: 'string', default: '' },
      trace: { type: 'boolean', default: false },
      loader: { type: 'string', default: 'producer-perf' },
      'limit-mb': { type: 'string', default: '300' },
      'max-growth': { type: 'string', default: '0.10' },
      'step-timeout-min': { type: 'string', default: '60' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const records = values.records.split(',').map((s) => positive('--records', s.replace(/_/g, '')));
  if (records.some((n, i) => i > 0 && n <= records[i - 1]!)) throw new Error('--records: give the sizes in ascending order, e.g. 5000000,100000000');
  const driver = values['kreroute-driver'];
  if (driver !== 'bundle' && driver !== 'source') throw new Error(`--kreroute-driver: "${driver}" is not bundle or source`);
  const loader = values.loader;
  if (loader !== 'producer-perf' && loader !== 'records') throw new Error(`--loader: "${loader}" is not producer-perf or records`);
  const maxGrowth = Number(values['max-growth']);
  if (!Number.isFinite(maxGrowth) || maxGrowth < 0) throw new Error(`--max-growth: "${values['max-growth']}" is not a fraction ≥ 0, e.g. 0.10`);
  return {
    records,
    valueBytes: positive('--value-bytes', values['value-bytes']),
    driver,
    nodeFlags: values['node-flags'].split(' ').filter(Boolean),
    trace: values.trace,
    loader,
    stepTimeoutMs: positive('--step-timeout-min', values['step-timeout-min']) * 60_000,
    limitBytes: positive('--limit-mb', values['limit-mb']) * 1e6,
    maxGrowth,
  };
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag}: "${text}" is not a positive whole number`);
  return n;
}
