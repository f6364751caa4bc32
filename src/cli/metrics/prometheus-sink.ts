import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobStage, MeteredStage, MetricsSink, WaitCause } from '../../common/metrics-sink.ts';
import { VERSION } from '../../common/version.ts';

const STAGES: readonly JobStage[] = ['plan', 'copy', 'verify', 'purge'];
const PARTITION_LABELS = ['stage', 'topic', 'partition'] as const;

interface PartitionTally {
  labels: { stage: MeteredStage; topic: string; partition: string };
  expectedRecords: number;
  expectedBytes: number;
  records: number;
  bytes: number;
  finished: boolean;
}

/**
 * The engine's measurements as Prometheus metrics (see docs/metrics.md), in a registry
 * of their own. Per-partition values are kept in plain counters and set on the gauges only when
 * the registry is collected: a verify reports every record it reads.
 */
export class PrometheusSink implements MetricsSink {
  readonly registry = new Registry();
  readonly #partitions = new Map<string, PartitionTally>();
  #readInFlight: (() => number) | null = null;
  readonly #stage: Gauge<'stage'>;
  readonly #rate: Gauge<'stage'>;
  readonly #byteRate: Gauge<'stage'>;
  readonly #retries: Counter<'code'>;
  readonly #waits: Counter<'for'>;
  readonly #throttled: Counter<'cluster'>;
  readonly #commits: Counter;
  readonly #commitSeconds: Histogram;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'kreroute_info', help: 'Always 1; the version of kreroute as a label', labelNames: ['version'], registers, aggregator: 'max' }).set(
      { version: VERSION },
      1,
    );
    // With --workers, each worker reports the copy stage: the job is in a stage if any process is.
    this.#stage = new Gauge({
      name: 'kreroute_stage',
      help: 'The stage the job is in: 1 for the current one, 0 for the others',
      labelNames: ['stage'],
      registers,
      aggregator: 'max',
    });
    // Each set from the tallies when collected.
    const partitionGauge = (name: string, help: string, read: (tally: PartitionTally) => number): void => {
      const tallies = this.#partitions;
      new Gauge({
        name,
        help,
        labelNames: PARTITION_LABELS,
        registers,
        collect() {
          for (const tally of tallies.values()) this.set(tally.labels, read(tally));
        },
      });
    };
    partitionGauge(
      'kreroute_records_expected',
      'Records the plan expects in the source partition (exact with plan --exact, else its share of the estimate)',
      (t) => t.expectedRecords,
    );
    partitionGauge(
      'kreroute_records_done',
      'Records done in the source partition: copy, written and acknowledged (earlier runs included); verify, read and compared',
      (t) => t.records,
    );
    partitionGauge('kreroute_records_remaining', 'Records left to do in the source partition (expected - done; 0 once the partition is finished)', remainingOf);
    partitionGauge('kreroute_bytes_done', 'Bytes done in the source partition by this run (record batches as written, or records as read)', (t) => t.bytes);
    partitionGauge('kreroute_bytes_remaining', "Bytes left in the source partition, estimated from the plan's bytes per record", (t) =>
      t.expectedRecords > 0 ? Math.round((t.expectedBytes * remainingOf(t)) / t.expectedRecords) : 0,
    );
    this.#rate = new Gauge({
      name: 'kreroute_records_per_second',
      help: 'Records done per second over the last few seconds',
      labelNames: ['stage'],
      registers,
    });
    this.#byteRate = new Gauge({
      name: 'kreroute_bytes_per_second',
      help: 'Bytes done per second over the last few seconds',
      labelNames: ['stage'],
      registers,
    });
    this.#retries = new Counter({
      name: 'kreroute_retries_total',
      help: "Requests tried again after a transient failure, by Kafka's error name",
      labelNames: ['code'],
      registers,
    });
    this.#waits = new Counter({
      name: 'kreroute_wait_seconds_total',
      help: 'Time the copy loop spent waiting: for the source (fetches), the destination (acknowledgements, commits) or the rate limit (--max-rate)',
      labelNames: ['for'],
      registers,
    });
    const readInFlight = (): number => this.#readInFlight?.() ?? 0;
    new Gauge({
      name: 'kreroute_bytes_in_flight',
      help: 'Bytes written to the destination and not yet acknowledged',
      registers,
      collect() {
        this.set(readInFlight());
      },
    });
    this.#throttled = new Counter({
      name: 'kreroute_throttle_seconds_total',
      help: "Time a cluster's quota held our requests back (the throttle_time_ms of its answers, overlaps counted once)",
      labelNames: ['cluster'],
      registers,
    });
    this.#commits = new Counter({ name: 'kreroute_transaction_commits_total', help: 'Exactly-once transactions committed', registers });
    this.#commitSeconds = new Histogram({
      name: 'kreroute_transaction_commit_seconds',
      help: 'How long committing a transaction took',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  stage(stage: JobStage): void {
    for (const s of STAGES) this.#stage.set({ stage: s }, s === stage ? 1 : 0);
  }

  planned(stage: MeteredStage, topic: string, partition: number, expected: { records: number; bytes: number }, doneBefore: number): void {
    this.#partitions.set(keyOf(stage, topic, partition), {
      labels: { stage, topic, partition: String(partition) },
      expectedRecords: expected.records,
      expectedBytes: expected.bytes,
      records: doneBefore,
      bytes: 0,
      finished: false,
    });
  }

  progressed(stage: MeteredStage, topic: string, partition: number, records: number, bytes: number): void {
    const tally = this.#partitions.get(keyOf(stage, topic, partition));
    if (!tally) return;
    tally.records += records;
    tally.bytes += bytes;
  }

  finished(stage: MeteredStage, topic: string, partition: number): void {
    const tally = this.#partitions.get(keyOf(stage, topic, partition));
    if (tally) tally.finished = true;
  }

  rate(stage: MeteredStage, recordsPerSec: number, bytesPerSec: number): void {
    this.#rate.set({ stage }, recordsPerSec);
    this.#byteRate.set({ stage }, bytesPerSec);
  }

  retried(code: string): void {
    this.#retries.inc({ code });
  }

  waited(cause: WaitCause, seconds: number): void {
    if (seconds > 0) this.#waits.inc({ for: cause }, seconds);
  }

  throttled(cluster: 'source' | 'destination', seconds: number): void {
    if (seconds > 0) this.#throttled.inc({ cluster }, seconds);
  }

  committed(seconds: number): void {
    this.#commits.inc();
    this.#commitSeconds.observe(seconds);
  }

  inFlight(read: (() => number) | null): void {
    this.#readInFlight = read;
  }
}

const remainingOf = (tally: PartitionTally): number => (tally.finished ? 0 : Math.max(0, tally.expectedRecords - tally.records));

const keyOf = (stage: MeteredStage, topic: string, partition: number): string => `${stage}\u0000${topic}\u0000${partition}`;
