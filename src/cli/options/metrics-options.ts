import { type Command, Option } from 'commander';
import { KrerouteError } from '../../common/errors.ts';
import type { MetricsSink } from '../../common/metrics-sink.ts';
import type { CliContext } from '../context.ts';
import { parsePort } from './options.ts';

export interface MetricsFlags {
  metricsPort?: string;
  metricsHost?: string;
  /** Set by `--workers` on its workers: report metrics to the supervisor on stdout. */
  metricsReport?: boolean;
}

/** Metrics every interface can reach: Prometheus scrapes from another host (or pod). */
const DEFAULT_HOST = '0.0.0.0';
const REPORT_EVERY_MS = 1000;

export function addMetricsOptions(command: Command): Command {
  command
    .option(
      '--metrics-port <port>',
      "serve Prometheus metrics at http://<host>:<port>/metrics while the command runs (0: any free port, printed); with --workers, the whole job's",
    )
    .option('--metrics-host <address>', `address to serve metrics on (default ${DEFAULT_HOST}: every interface; 127.0.0.1: this machine only)`)
    .addOption(new Option('--metrics-report', 'report metrics on stdout every second (a worker to its supervisor)').hideHelp());
  return command;
}

/** A command's metrics: the sink for the engine, where workers' reports go, and the end of it all. */
export interface CliMetrics {
  sink: MetricsSink;
  onWorkerMetrics(shard: string, snapshot: unknown): void;
  /** Stops serving (a worker: sends its last report). Safe to call twice. */
  close(): Promise<void>;
}

/** Starts what the flags ask for: nothing, a metrics server, or (a worker) reports to the supervisor. */
export async function startMetrics(ctx: CliContext, flags: MetricsFlags): Promise<CliMetrics | undefined> {
  if (flags.metricsHost !== undefined && flags.metricsPort === undefined) {
    throw new KrerouteError('BAD_INPUT', '--metrics-host: given without --metrics-port', { hint: 'add --metrics-port PORT, e.g. --metrics-port 9464' });
  }
  if (flags.metricsReport) return reportToSupervisor(ctx);
  if (flags.metricsPort === undefined) return undefined;
  const port = parsePort(flags.metricsPort, '--metrics-port');
  // prom-client is loaded only when metrics are asked for.
  const [{ JobMetrics }, { serveMetrics }] = await Promise.all([import('../metrics/job-metrics.ts'), import('../metrics/metrics-server.ts')]);
  const job = new JobMetrics();
  const server = await serveMetrics(flags.metricsHost ?? DEFAULT_HOST, port, () => job.page());
  ctx.out.note(`metrics: serving at ${server.url}`);
  let closed: Promise<void> | undefined;
  return {
    sink: job.sink,
    onWorkerMetrics: (shard, snapshot) => job.workerReported(shard, snapshot),
    close: () => (closed ??= server.close()),
  };
}

async function reportToSupervisor(ctx: CliContext): Promise<CliMetrics> {
  const { PrometheusSink } = await import('../metrics/prometheus-sink.ts');
  const sink = new PrometheusSink();
  const report = async (): Promise<void> => ctx.out.metrics(await sink.registry.getMetricsAsJSON());
  const timer = setInterval(() => void report(), REPORT_EVERY_MS);
  timer.unref();
  let closed: Promise<void> | undefined;
  return {
    sink,
    onWorkerMetrics: () => undefined,
    close: () => {
      clearInterval(timer);
      return (closed ??= report());
    },
  };
}
