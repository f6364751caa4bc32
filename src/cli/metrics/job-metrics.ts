import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { MetricsPage } from './metrics-server.ts';
import { PrometheusSink } from './prometheus-sink.ts';

type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

/** Only this process knows which stage the job is in: a worker that finished copying still says "copy". */
const SUPERVISOR_ONLY = new Set(['kreroute_stage']);

/**
 * A job's metrics: this process's own (the sink the engine is given), combined with the latest
 * snapshot of every worker process of a copy with --workers. Counters and gauges are summed over
 * the processes (a partition is copied by one worker); a worker's last snapshot stays in the sum
 * after it ends, so the job's totals do not drop.
 */
export class JobMetrics {
  readonly sink = new PrometheusSink();
  readonly #workers = new Map<string, Snapshot>();

  /** A worker's metrics (its registry's getMetricsAsJSON(), as it reported them). */
  workerReported(shard: string, snapshot: unknown): void {
    if (Array.isArray(snapshot))
      this.#workers.set(
        shard,
        (snapshot as Snapshot).filter((metric) => !SUPERVISOR_ONLY.has(metric.name)),
      );
  }

  async page(): Promise<MetricsPage> {
    const own = this.sink.registry;
    if (this.#workers.size === 0) return { contentType: own.contentType, body: await own.metrics() };
    const combined = AggregatorRegistry.aggregate([(await own.getMetricsAsJSON()) as Snapshot, ...this.#workers.values()]);
    return { contentType: combined.contentType, body: await combined.metrics() };
  }
}
