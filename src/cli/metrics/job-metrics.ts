import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { MetricsPage } from './metrics-server.ts';
import { MAX_PARTITIONS_WITH_SERIES, PrometheusSink, type PrometheusSinkOptions } from './prometheus-sink.ts';

type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

/** Only this process knows which stage the job is in (a worker that finished copying still says "copy") and how the command ended. */
const SUPERVISOR_ONLY = new Set(['kreroute_stage', 'kreroute_exit_code', 'kreroute_end_time_seconds']);
const PER_PARTITION = /^kreroute_partition_/;

/**
 * A job's metrics: this process's own (the sink the engine is given), combined with the latest
 * snapshot of every worker process of a copy with --workers. Counters and gauges are summed over
 * the processes (a partition is copied by one worker) unless the metric says otherwise; a worker's
 * last snapshot stays in the sum after it ends, so the job's totals do not drop.
 */
export class JobMetrics {
  readonly sink: PrometheusSink;
  readonly #workers = new Map<string, Snapshot>();
  readonly #onWarning: ((message: string) => void) | undefined;
  #warnedOfPartitions = false;

  constructor(options: PrometheusSinkOptions = {}) {
    this.sink = new PrometheusSink(options);
    this.#onWarning = options.onWarning;
  }

  /** A worker's metrics (its registry's getMetricsAsJSON(), as it reported them). */
  workerReported(shard: string, snapshot: unknown): void {
    if (Array.isArray(snapshot))
      this.#workers.set(
        shard,
        (snapshot as Snapshot).filter((metric) => !SUPERVISOR_ONLY.has(metric.name)),
      );
  }

  /** The job's registry: this process's, or the sum with its workers'. */
  async registry(): Promise<Registry> {
    const own = this.sink.registry;
    if (this.#workers.size === 0) return own;
    const snapshots = [(await own.getMetricsAsJSON()) as Snapshot, ...this.#workers.values()];
    return AggregatorRegistry.aggregate(this.#boundPartitionSeries(snapshots));
  }

  async page(): Promise<MetricsPage> {
    const registry = await this.registry();
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  /** Each worker bounds its own per-partition series; together they are bounded again. */
  #boundPartitionSeries(snapshots: Snapshot[]): Snapshot[] {
    const kept = new Set<string>();
    let dropped = false;
    const result = snapshots.map((snapshot) =>
      snapshot.map((metric) => {
        if (!PER_PARTITION.test(metric.name)) return metric;
        const values = metric.values.filter((value) => {
          const key = `${value.labels['stage']}\u0000${value.labels['topic']}\u0000${value.labels['partition']}`;
          if (kept.has(key)) return true;
          if (kept.size >= MAX_PARTITIONS_WITH_SERIES) return !(dropped = true);
          kept.add(key);
          return true;
        });
        return { ...metric, values };
      }),
    );
    if (dropped && !this.#warnedOfPartitions) {
      this.#warnedOfPartitions = true;
      this.#onWarning?.(`--metrics-partitions: per-partition series only for ${MAX_PARTITIONS_WITH_SERIES} partitions of the job`);
    }
    return result;
  }
}
