import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { KrerouteError } from '../../common/errors.ts';
import type { MetricsSink } from '../../common/metrics-sink.ts';
import type { CliContext } from '../context.ts';
import { describeFailure } from '../exit.ts';
import { signalExitCode } from '../signals.ts';
import type { Registry } from 'prom-client';
import type { MetricsPage } from '../metrics/metrics-server.ts';
import type { PrometheusSink } from '../metrics/prometheus-sink.ts';
import { parseDuration, parsePort } from './options.ts';

export interface MetricsFlags {
  metricsPort?: string;
  metricsHost?: string;
  metricsTextfile?: string;
  metricsPush?: string;
  metricsInterval?: string;
  metricsPartitions?: boolean;
  /** Set by `--workers` on its workers: report metrics to the supervisor on stdout. */
  metricsReport?: boolean;
}

/** What the command's metrics are about: the grouping key on a Pushgateway, and the exit code's label. */
export interface MetricsScope {
  command: 'plan' | 'copy' | 'verify' | 'reroute';
  planFile: string;
  shard?: { index: number; count: number };
}

/** Metrics every interface can reach: Prometheus scrapes from another host (or pod). */
const DEFAULT_HOST = '0.0.0.0';
const DEFAULT_INTERVAL = '15s';
const REPORT_EVERY_MS = 1000;

export function addMetricsOptions(command: Command): Command {
  command
    .option(
      '--metrics-port <port>',
      "serve Prometheus metrics at http://<host>:<port>/metrics while the command runs (0: any free port, printed); with --workers, the whole job's",
    )
    .option('--metrics-host <address>', `address to serve metrics on (default ${DEFAULT_HOST}: every interface; 127.0.0.1: this machine only)`)
    .option(
      '--metrics-textfile <path.prom>',
      "write the metrics to this file (for node_exporter's textfile collector) every --metrics-interval and when the command ends; the file stays",
    )
    .option(
      '--metrics-push <url>',
      'push the metrics to this Prometheus Pushgateway every --metrics-interval and when the command ends (job="kreroute", grouped by command, plan and shard)',
    )
    .option('--metrics-interval <duration>', `how often --metrics-textfile is written and --metrics-push pushes (default ${DEFAULT_INTERVAL})`)
    .option('--metrics-partitions', 'also per-partition series (records remaining, offset lag), for at most 500 partitions; the default is per topic')
    .addOption(new Option('--metrics-report', 'report metrics on stdout every second (a worker to its supervisor)').hideHelp());
  return command;
}

/** A command's metrics: the sink for the engine, where workers' reports go, and the end of it all. */
export interface CliMetrics {
  sink: MetricsSink;
  onWorkerMetrics(shard: string, snapshot: unknown): void;
  /**
   * Records how the command ended (`error`: it failed), writes and pushes the last values, stops
   * serving (a worker: sends its last report). Only the first call counts.
   */
  close(error?: unknown): Promise<void>;
}

/** Runs `body`, then closes the metrics with how it ended. */
export async function withMetrics<T>(metrics: CliMetrics | undefined, body: () => Promise<T>): Promise<T> {
  try {
    const result = await body();
    await metrics?.close();
    return result;
  } catch (error) {
    await metrics?.close(error);
    throw error;
  }
}

/** Starts what the flags ask for: nothing, a server, a textfile, pushes, or (a worker) reports to the supervisor. */
export async function startMetrics(ctx: CliContext, flags: MetricsFlags, scope: MetricsScope): Promise<CliMetrics | undefined> {
  const outputs = checkOutputs(flags);
  const partitions = flags.metricsPartitions === true;
  const onWarning = (message: string): void => ctx.out.warn('METRICS_PARTITIONS_CAPPED', message);
  if (flags.metricsReport) return reportToSupervisor(ctx, partitions, scope);
  if (!outputs) return undefined;
  // prom-client is loaded only when metrics are asked for.
  const { JobMetrics } = await import('../metrics/job-metrics.ts');
  const job = new JobMetrics({ partitions, onWarning });
  const page = () => job.page();
  const exports: Array<() => Promise<void>> = [];
  if (outputs.textfile !== undefined) exports.push(await startTextfile(ctx, outputs.textfile, page));
  if (outputs.push !== undefined) exports.push(await startPush(ctx, outputs.push, scope, () => job.registry()));
  const server = outputs.port === undefined ? undefined : await startServer(ctx, flags.metricsHost ?? DEFAULT_HOST, outputs.port, page);
  let exporting: Promise<void> | undefined;
  const exportAll = (): Promise<void> =>
    (exporting ??= Promise.all(exports.map((write) => write()))
      .then(() => undefined)
      .finally(() => (exporting = undefined)));
  const timer = exports.length > 0 ? setInterval(() => void exportAll(), outputs.intervalMs) : undefined;
  timer?.unref();
  let closed: Promise<void> | undefined;
  return {
    sink: job.sink,
    onWorkerMetrics: (shard, snapshot) => job.workerReported(shard, snapshot),
    close: (error) =>
      (closed ??= (async () => {
        clearInterval(timer);
        ended(ctx, job.sink, scope, error);
        await exporting;
        await exportAll();
        await server?.close();
      })()),
  };
}

interface Outputs {
  port?: number;
  textfile?: string;
  push?: URL;
  intervalMs: number;
}

function checkOutputs(flags: MetricsFlags): Outputs | undefined {
  const none = flags.metricsPort === undefined && flags.metricsTextfile === undefined && flags.metricsPush === undefined;
  if (flags.metricsHost !== undefined && flags.metricsPort === undefined) {
    throw new KrerouteError('BAD_INPUT', '--metrics-host: given without --metrics-port', { hint: 'add --metrics-port PORT, e.g. --metrics-port 9464' });
  }
  for (const [given, flag] of [
    [flags.metricsInterval, '--metrics-interval'],
    [flags.metricsPartitions, '--metrics-partitions'],
  ] as const) {
    if (given !== undefined && none && !flags.metricsReport)
      throw new KrerouteError('BAD_INPUT', `${flag}: given without --metrics-port, --metrics-textfile or --metrics-push`, {
        hint: 'add where the metrics go, e.g. --metrics-textfile /var/lib/node_exporter/textfile/kreroute.prom',
      });
  }
  if (none) return undefined;
  const outputs: Outputs = { intervalMs: parseDuration(flags.metricsInterval ?? DEFAULT_INTERVAL, '--metrics-interval') };
  if (flags.metricsPort !== undefined) outputs.port = parsePort(flags.metricsPort, '--metrics-port');
  if (flags.metricsTextfile !== undefined) {
    if (!flags.metricsTextfile.endsWith('.prom') || basename(flags.metricsTextfile) === '.prom')
      throw new KrerouteError('BAD_INPUT', `--metrics-textfile: ${flags.metricsTextfile} does not end in .prom`, {
        hint: "node_exporter's textfile collector reads only *.prom files: name it e.g. kreroute.prom",
      });
    outputs.textfile = flags.metricsTextfile;
  }
  if (flags.metricsPush !== undefined) outputs.push = parsePushUrl(flags.metricsPush);
  return outputs;
}

function parsePushUrl(text: string): URL {
  // The address may carry a password: it is never quoted.
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new KrerouteError('BAD_INPUT', '--metrics-push: not an http:// or https:// address', {
      hint: "give the Pushgateway's address, e.g. --metrics-push http://pushgateway:9091",
    });
  return url;
}

async function startServer(ctx: CliContext, host: string, port: number, page: () => Promise<MetricsPage>) {
  const { serveMetrics } = await import('../metrics/metrics-server.ts');
  const server = await serveMetrics(host, port, page);
  ctx.out.note(`metrics: serving at ${server.url}`);
  return server;
}

/** Writes the file once now, so that a path that cannot be written is reported before any work; later failures are warned of. */
async function startTextfile(ctx: CliContext, path: string, page: () => Promise<MetricsPage>): Promise<() => Promise<void>> {
  const { metricsTextfile } = await import('../metrics/metrics-textfile.ts');
  const write = metricsTextfile(path, page);
  try {
    await write();
  } catch (error) {
    throw new KrerouteError('BAD_INPUT', `--metrics-textfile: cannot write ${path} (${describeError(error)})`, {
      hint: 'give a path this user may write (a missing folder is created)',
    });
  }
  return warningOnFailure(ctx, write, (error) => `--metrics-textfile: cannot write ${path} (${describeError(error)}); trying again`);
}

/** A Pushgateway that does not answer does not stop the job. */
async function startPush(ctx: CliContext, url: URL, scope: MetricsScope, registry: () => Promise<Registry>) {
  const { metricsPush, shownUrl } = await import('../metrics/metrics-push.ts');
  const push = warningOnFailure(
    ctx,
    metricsPush(url.href, groupingOf(scope), registry),
    (error) => `--metrics-push: ${shownUrl(url)} did not take the metrics (${describeError(error)}); trying again`,
  );
  await push();
  return push;
}

/** Metrics that cannot be written or pushed do not stop the job: one warning, until they can be again. */
function warningOnFailure(ctx: CliContext, write: () => Promise<void>, warning: (error: unknown) => string): () => Promise<void> {
  let failing = false;
  return async () => {
    try {
      await write();
      failing = false;
    } catch (error) {
      if (!failing) ctx.out.warn('METRICS_EXPORT_FAILED', warning(error));
      failing = true;
    }
  };
}

const describeError = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]!.slice(0, 200);

/** The grouping key: a later push of the same command, plan and shard replaces the earlier one. */
export function groupingOf(scope: MetricsScope): Record<string, string> {
  return {
    command: scope.command,
    plan: basename(scope.planFile),
    ...(scope.shard ? { shard: `${scope.shard.index}-of-${scope.shard.count}` } : {}),
  };
}

/** Records how the command ended, with the exit code the process ends with (run.ts): a stop by a signal is INTERRUPTED with the signal's code. */
function ended(ctx: CliContext, sink: PrometheusSink, scope: MetricsScope, error: unknown): void {
  const stoppedBy = ctx.interrupts.received;
  if (stoppedBy !== null) sink.ended(scope.command, signalExitCode(stoppedBy), 'INTERRUPTED');
  else if (error === undefined) sink.ended(scope.command, 0);
  else {
    const failure = describeFailure(error);
    sink.ended(scope.command, failure.exitCode, failure.data.code);
  }
}

async function reportToSupervisor(ctx: CliContext, partitions: boolean, scope: MetricsScope): Promise<CliMetrics> {
  const { PrometheusSink } = await import('../metrics/prometheus-sink.ts');
  const sink = new PrometheusSink({ partitions, onWarning: (message) => ctx.out.warn('METRICS_PARTITIONS_CAPPED', message) });
  const report = async (): Promise<void> => ctx.out.metrics(await sink.registry.getMetricsAsJSON());
  const timer = setInterval(() => void report(), REPORT_EVERY_MS);
  timer.unref();
  let closed: Promise<void> | undefined;
  return {
    sink,
    onWorkerMetrics: () => undefined,
    close: (error) => {
      clearInterval(timer);
      return (closed ??= (async () => {
        ended(ctx, sink, scope, error);
        await report();
      })());
    },
  };
}
