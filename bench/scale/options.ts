import { parseArgs } from 'node:util';

/** What one `npm run bench:scale` does. Passed from main.ts (root namespace) to inside.ts (the brokers' namespace) as JSON. */
export interface ScaleOptions {
  records: number;
  valueBytes: number;
  partitions: number;
  /** Worker counts to run, each a copy of its own plan into a fresh destination topic. */
  workers: number[];
  /** Each worker's link, each direction (tc tbf on both ends of its veth pair). */
  rateMbit: number;
  /** Also copy with one worker in the brokers' namespace (loopback, no cap): the CPU-bound rate. */
  loopback: boolean;
  /** Repeat the largest worker count with one worker killed (SIGKILL) and restarted while it moves data. */
  kill: boolean;
  /** Seconds after the victim's "starting the copy" line that it is killed. */
  killAfterS: number;
  /** Run the kcat oracle after every run, not only after the kill run (it reads both topics whole: ~1 min per 1M × 1 KiB here). */
  oracleAll: boolean;
  /** Extra flags for every worker's `kreroute copy` (e.g. --mode at-least-once, --memory-budget 64m). */
  copyArgs: string[];
  /** Bound on each copy run (all its shards), and on the whole benchmark. */
  runTimeoutMs: number;
  totalTimeoutMs: number;
}

export const USAGE = `Usage: npm run bench:scale -- [options]   (as root: it creates network namespaces)

  --records N        records to load (default 1000000)
  --value-bytes B    value size (default 1024)
  --partitions P     source partitions (default 16)
  --workers 1,2,4    worker counts, one copy each (default 1,2,4)
  --rate-mbit R      each worker's link, each direction (default 100)
  --no-loopback      skip the one-worker copy on loopback without a cap
  --no-kill          skip the run of the largest count with a worker killed and restarted
  --kill-after-s S   kill the victim S seconds after its "starting the copy" line (default 3;
                     later if it has reported no records moved yet)
  --oracle-all       run the kcat oracle after every run (default: only after the kill run)
  --copy-args="…"    extra flags for every worker's copy, e.g. --copy-args="--mode at-least-once"
  --quick            100k records, workers 1,2 (checks that everything works; numbers mean little)
  --run-timeout-min M    bound on each copy run (default 5)
  --total-timeout-min M  bound on the whole benchmark (default 20)
  --help             this text`;

export function parseScaleOptions(argv: string[]): ScaleOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      'value-bytes': { type: 'string', default: '1024' },
      partitions: { type: 'string', default: '16' },
      workers: { type: 'string' },
      'rate-mbit': { type: 'string', default: '100' },
      'no-loopback': { type: 'boolean', default: false },
      'no-kill': { type: 'boolean', default: false },
      'kill-after-s': { type: 'string', default: '3' },
      'oracle-all': { type: 'boolean', default: false },
      'copy-args': { type: 'string', default: '' },
      quick: { type: 'boolean', default: false },
      'run-timeout-min': { type: 'string', default: '5' },
      'total-timeout-min': { type: 'string', default: '20' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const workers = (values.workers ?? (values.quick ? '1,2' : '1,2,4')).split(',').map((w) => positive('--workers', w));
  if (workers.some((w) => w > 8)) throw new Error('--workers: at most 8 workers (one network namespace each)');
  return {
    records: positive('--records', values.records ?? (values.quick ? '100000' : '1000000')),
    valueBytes: positive('--value-bytes', values['value-bytes']),
    partitions: positive('--partitions', values.partitions),
    workers,
    rateMbit: positive('--rate-mbit', values['rate-mbit']),
    loopback: !values['no-loopback'],
    kill: !values['no-kill'],
    killAfterS: positive('--kill-after-s', values['kill-after-s']),
    oracleAll: values['oracle-all'],
    copyArgs: values['copy-args'].split(' ').filter(Boolean),
    runTimeoutMs: positive('--run-timeout-min', values['run-timeout-min']) * 60_000,
    totalTimeoutMs: positive('--total-timeout-min', values['total-timeout-min']) * 60_000,
  };
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag}: "${text}" is not a positive number`);
  return value;
}
