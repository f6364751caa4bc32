import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobStage, MeteredStage, MetricsSink, PartitionExpectation, WaitCause } from '../../common/metrics-sink.ts';
import { VERSION } from '../../common/version.ts';

const STAGES: readonly JobStage[] = ['plan', 'copy', 'verify', 'purge'];
const WAIT_CAUSES: readonly WaitCause[] = ['source', 'destination', 'rate-limit'];
const CLUSTERS = ['source', 'destination'] as const;
/** Per-partition series are opt-in and bounded: two per partition (remaining, offset lag), so at most 1000. */
export const MAX_PARTITIONS_WITH_SERIES = 500;

export interface PrometheusSinkOptions {
  /** Per-partition series (--metrics-partitions), for the first MAX_PARTITIONS_WITH_SERIES partitions. */
  partitions?: boolean;
  /** Told once when partitions are left without series. */
  onWarning?: (message: string) => void;
}

interface PartitionTally {
  stage: MeteredStage;
  topic: string;
  partition: string;
  expected: number;
  done: number;
  endOffset: number | undefined;
  nextOffset: number | undefined;
  finished: boolean;
  withSeries: boolean;
}

/** Counts of this process, kept as plain numbers (a verify reports every batch it reads) and added to the counters when collected. */
interface StageCount {
  records: number;
  bytes: number;
  reportedRecords: number;
  reportedBytes: number;
}

/**
 * The engine's measurements as Prometheus metrics (see docs/metrics.md), in a registry of their
 * own, named by Prometheus's rules: counters end in _total, units are base units, and rates are
 * left to PromQL. Counters count what this process did; the gauges of what is expected and what
 * remains cover the plan (or shard) the process works on, earlier runs included.
 */
export class PrometheusSink implements MetricsSink {
  readonly registry = new Registry();
  readonly #options: PrometheusSinkOptions;
  readonly #partitions = new Map<string, PartitionTally>();
  readonly #counts = new Map<MeteredStage, StageCount>();
  #partitionsWithSeries = 0;
  #readInFlight: (() => number) | null = null;
  readonly #stage: Gauge<'stage'>;
  readonly #checkpoint: Gauge;
  readonly #retries: Counter<'code'>;
  readonly #errors: Counter<'code'>;
  readonly #exitCode: Gauge<'command'>;
  readonly #endTime: Gauge;
  readonly #waits: Counter<'for'>;
  readonly #throttled: Counter<'cluster'>;
  readonly #commits: Counter;
  readonly #commitSeconds: Histogram;

  constructor(options: PrometheusSinkOptions = {}) {
    this.#options = options;
    const registers = [this.registry];
    const tallies = this.#partitions;
    const counts = this.#counts;
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'kreroute_info', help: 'Always 1; the version of kreroute as a label', labelNames: ['version'], registers, aggregator: 'max' }).set(
      { version: VERSION },
      1,
    );
    new Gauge({ name: 'kreroute_start_time_seconds', help: 'When the command started (Unix time)', registers, aggregator: 'min' }).set(Date.now() / 1000);
    // With --workers, each worker reports the copy stage: the job is in a stage if any process is.
    this.#stage = new Gauge({
      name: 'kreroute_stage',
      help: 'The stage the job is in: 1 for the current one, 0 for the others',
      labelNames: ['stage'],
      registers,
      aggregator: 'max',
    });
    new Counter({
      name: 'kreroute_records_total',
      help: 'Records done by this process: copy, written and acknowledged; verify, read and compared',
      labelNames: ['stage'],
      registers,
      collect() {
        for (const [stage, count] of counts) {
          this.inc({ stage }, count.records - count.reportedRecords);
          count.reportedRecords = count.records;
        }
      },
    });
    new Counter({
      name: 'kreroute_bytes_total',
      help: 'Bytes done by this process: copy, record batches as written; verify, records as read',
      labelNames: ['stage'],
      registers,
      collect() {
        for (const [stage, count] of counts) {
          this.inc({ stage }, count.bytes - count.reportedBytes);
          count.reportedBytes = count.bytes;
        }
      },
    });
    const stageGauge = (name: string, help: string, read: (tally: PartitionTally) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['stage'],
        registers,
        collect() {
          const sums = new Map<MeteredStage, number>();
          for (const tally of tallies.values()) sums.set(tally.stage, (sums.get(tally.stage) ?? 0) + read(tally));
          for (const [stage, sum] of sums) this.set({ stage }, sum);
        },
      });
    };
    stageGauge(
      'kreroute_records_expected',
      'Records the plan (or shard) expects the stage to go through: exact with plan --exact, else estimated',
      (t) => t.expected,
    );
    stageGauge('kreroute_records_remaining', 'Records the stage has left to do, earlier runs included (0 once finished)', remainingOf);
    new Gauge({
      name: 'kreroute_topic_records_remaining',
      help: 'Records the stage has left to do in a source topic, earlier runs included (0 once finished)',
      labelNames: ['stage', 'topic'],
      registers,
      collect() {
        const sums = new Map<string, { stage: MeteredStage; topic: string; remaining: number }>();
        for (const tally of tallies.values()) {
          const key = `${tally.stage}\u0000${tally.topic}`;
          const sum = sums.get(key) ?? sums.set(key, { stage: tally.stage, topic: tally.topic, remaining: 0 }).get(key)!;
          sum.remaining += remainingOf(tally);
        }
        for (const { stage, topic, remaining } of sums.values()) this.set({ stage, topic }, remaining);
      },
    });
    if (options.partitions) {
      new Gauge({
        name: 'kreroute_partition_records_remaining',
        help: 'Records the stage has left to do in a source partition (--metrics-partitions)',
        labelNames: ['stage', 'topic', 'partition'],
        registers,
        collect() {
          for (const t of tallies.values()) if (t.withSeries) this.set({ stage: t.stage, topic: t.topic, partition: t.partition }, remainingOf(t));
        },
      });
      new Gauge({
        name: 'kreroute_partition_offset_lag',
        help: "Source offsets left to copy in a partition: the plan's pinned end offset - the copy's position (--metrics-partitions)",
        labelNames: ['stage', 'topic', 'partition'],
        registers,
        collect() {
          for (const t of tallies.values())
            if (t.withSeries && t.endOffset !== undefined && t.nextOffset !== undefined)
              this.set({ stage: t.stage, topic: t.topic, partition: t.partition }, t.finished ? 0 : Math.max(0, t.endOffset - t.nextOffset));
        },
      });
    }
    this.#checkpoint = new Gauge({
      name: 'kreroute_checkpoint_last_commit_timestamp_seconds',
      help: 'When the copy last committed its checkpoint (Unix time); its age is time() minus this',
      registers,
      aggregator: 'max',
    });
    this.#retries = new Counter({
      name: 'kreroute_retries_total',
      help: "Requests tried again after a transient failure, by Kafka's error name",
      labelNames: ['code'],
      registers,
    });
    this.#errors = new Counter({
      name: 'kreroute_errors_total',
      help: "Commands that failed, by kreroute's error code (docs/errors.md)",
      labelNames: ['code'],
      registers,
    });
    this.#exitCode = new Gauge({
      name: 'kreroute_exit_code',
      help: 'The exit code of the command, set when it ends (0: success)',
      labelNames: ['command'],
      registers,
    });
    this.#endTime = new Gauge({ name: 'kreroute_end_time_seconds', help: 'When the command ended (Unix time)', registers });
    this.#waits = new Counter({
      name: 'kreroute_wait_seconds_total',
      help: 'Time the copy loop spent waiting: for the source (fetches), the destination (acknowledgements, commits) or the rate limit (--max-rate)',
      labelNames: ['for'],
      registers,
    });
    const readInFlight = (): number => this.#readInFlight?.() ?? 0;
    new Gauge({
      name: 'kreroute_in_flight_bytes',
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
    // Known label values start at 0, so that rate() sees the first increase.
    for (const cause of WAIT_CAUSES) this.#waits.inc({ for: cause }, 0);
    for (const cluster of CLUSTERS) this.#throttled.inc({ cluster }, 0);
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

  planned(stage: MeteredStage, topic: string, partition: number, expected: PartitionExpectation, doneBefore: number): void {
    if (!this.#counts.has(stage)) this.#counts.set(stage, { records: 0, bytes: 0, reportedRecords: 0, reportedBytes: 0 });
    const key = keyOf(stage, topic, partition);
    const known = this.#partitions.get(key);
    this.#partitions.set(key, {
      stage,
      topic,
      partition: String(partition),
      expected: expected.records,
      done: doneBefore,
      endOffset: expected.endOffset,
      nextOffset: undefined,
      finished: false,
      withSeries: known?.withSeries ?? this.#takeSeries(),
    });
  }

  progressed(stage: MeteredStage, records: number, bytes: number, topic?: string, partition?: number): void {
    const count = this.#counts.get(stage);
    if (count) {
      count.records += records;
      count.bytes += bytes;
    }
    if (topic === undefined || partition === undefined) return;
    const tally = this.#partitions.get(keyOf(stage, topic, partition));
    if (tally) tally.done += records;
  }

  position(stage: MeteredStage, topic: string, partition: number, nextOffset: number): void {
    const tally = this.#partitions.get(keyOf(stage, topic, partition));
    if (tally) tally.nextOffset = nextOffset;
  }

  finished(stage: MeteredStage, topic: string, partition: number): void {
    const tally = this.#partitions.get(keyOf(stage, topic, partition));
    if (tally) tally.finished = true;
  }

  checkpointed(): void {
    this.#checkpoint.set(Date.now() / 1000);
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

  /** The command ended: its exit code, and the error code when it failed. */
  ended(command: string, exitCode: number, errorCode?: string): void {
    if (errorCode !== undefined) this.#errors.inc({ code: errorCode });
    this.#exitCode.set({ command }, exitCode);
    this.#endTime.set(Date.now() / 1000);
  }

  #takeSeries(): boolean {
    if (!this.#options.partitions) return false;
    if (this.#partitionsWithSeries < MAX_PARTITIONS_WITH_SERIES) {
      this.#partitionsWithSeries += 1;
      return true;
    }
    if (this.#partitionsWithSeries === MAX_PARTITIONS_WITH_SERIES) {
      this.#partitionsWithSeries += 1;
      this.#options.onWarning?.(
        `--metrics-partitions: per-partition series only for the first ${MAX_PARTITIONS_WITH_SERIES} partitions (the others are in the per-topic kreroute_topic_records_remaining)`,
      );
    }
    return false;
  }
}

const remainingOf = (tally: PartitionTally): number => (tally.finished ? 0 : Math.max(0, tally.expected - tally.done));

const keyOf = (stage: MeteredStage, topic: string, partition: number): string => `${stage}\u0000${topic}\u0000${partition}`;
