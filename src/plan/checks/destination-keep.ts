/**
 * The one rule of what a destination topic will keep of a copy, from its topic configs (as
 * DescribeConfigs gives them: the topic's own value, else the broker's default) and what is planned
 * into each of its partitions. Pure: plan, copy, verify and purge gather the facts and call it.
 *
 * What the broker does to data, and what each check guards against:
 * - retention.ms: a segment is deleted once its newest timestamp is older than retention.ms, and
 *   copies keep their CreateTime; records older than now + margin - retention.ms may go at the
 *   next retention check (every 5 min by default). -1 keeps forever.
 * - retention.bytes: per partition; the oldest segments (by offset) go while the partition is larger,
 *   so copies, appended last, are lost only when they alone exceed it. -1: none.
 * - cleanup.policy=compact: the broker refuses a batch holding a record without a key.
 * - message.timestamp.before.max.ms / after.max.ms: the broker refuses a batch holding a record
 *   older than now - before.max or newer than now + after.max (after.max is 1 h by default since
 *   Kafka 4.0, KIP-1030).
 * - Tiered storage (remote.storage.enable): local.retention.ms/bytes only decide when a segment
 *   leaves the broker's disk for remote storage, where it is still read; retention.ms and
 *   retention.bytes still decide when it is deleted. So only those are checked, tiered or not.
 */

/** What is planned into one destination partition (for mapping key-hash: any partition may get every record). */
export interface PlannedPartition {
  partition: number;
  /** Planned records (exact, or an upper bound: see KeepFacts.exact). */
  records: number;
  /** Planned bytes not yet on the destination partition (0 once copied: they are in existingBytes). */
  bytes: number;
  /** Bytes already on the destination partition (DescribeLogDirs); null when the cluster did not say. */
  existingBytes: number | null;
  /** Oldest and newest planned timestamps (ms); null when no record is planned or they are not known. */
  oldest: number | null;
  newest: number | null;
}

export interface KeepFacts {
  topic: string;
  configs: Map<string, string>;
  partitions: PlannedPartition[];
  /** Planned records without a key in the topic; null when not counted. */
  keyless: number | null;
  /** Whether record counts are exact (plan --exact) or upper bounds. */
  exact: boolean;
  /** The destination's bootstrap address, for the kafka-configs command of the way out. */
  bootstrap?: string;
  /**
   * The records are already written (verify, purge): the broker no longer judges their timestamps
   * (a window raised for the copy may be set back), and a compacted topic's cleaner deletes those
   * without a key instead of refusing them.
   */
  written?: boolean;
}

export interface KeepTiming {
  now: number;
  /** How long the copy must stay on the destination from now: the rest of the job plus a safety margin. */
  marginMs: number;
}

export interface KeepProblem {
  topic: string;
  setting: string;
  /** Records the destination would drop or refuse; `upTo`: an upper bound. */
  records: number;
  upTo: boolean;
  /**
   * drops: the destination deletes copies (a loss that may be accepted); refuses: the broker rejects
   * the writes; displaces: the copies stay, but push other, older data out of the partition (a warning).
   */
  kind: 'drops' | 'refuses' | 'displaces';
  /** One line: topic, setting, records, and the way out. */
  message: string;
}

/**
 * Default margin: a copy must outlive the job by a day. Verify and purge often run hours after the
 * copy (a review, a change window), and the destination's retention check runs on its own clock;
 * a day covers a job left overnight without hiding a copy that is already days past retention.
 */
export const DEFAULT_KEEP_MARGIN_MS = 24 * 60 * 60 * 1000;

/** Kafka's defaults, for a configs map that does not name them (DescribeConfigs normally does). */
const KAFKA_DEFAULTS: Record<string, string> = {
  'retention.ms': '604800000',
  'retention.bytes': '-1',
  'cleanup.policy': 'delete',
  'message.timestamp.before.max.ms': String(Number.MAX_SAFE_INTEGER),
  'message.timestamp.after.max.ms': '3600000',
};

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const MIB = 1024 * 1024;

export function destinationKeepProblems(facts: KeepFacts, timing: KeepTiming): KeepProblem[] {
  const problems: KeepProblem[] = [];
  const setting = (name: string): number => {
    const value = Number(facts.configs.get(name) ?? KAFKA_DEFAULTS[name]);
    return Number.isFinite(value) ? value : Number(KAFKA_DEFAULTS[name]);
  };
  const problem = (name: string, kind: KeepProblem['kind'], affected: Affected, what: string, way: string) => {
    const count = `${affected.upTo ? 'up to ' : ''}${affected.records} planned record(s)`;
    problems.push({
      topic: facts.topic,
      setting: name,
      records: affected.records,
      upTo: affected.upTo,
      kind,
      message: `destination ${facts.topic}: ${name}=${facts.configs.get(name) ?? KAFKA_DEFAULTS[name]} ${what}: the destination would ${kind === 'drops' ? 'delete' : 'refuse'} ${count}; ${way}`,
    });
  };
  const alter = (name: string, value: string) =>
    `kafka-configs --bootstrap-server ${facts.bootstrap ?? '<destination>'} --alter --entity-type topics --entity-name ${facts.topic} --add-config ${name}=${value}`;

  const retentionMs = setting('retention.ms');
  if (retentionMs >= 0) {
    const cutoff = timing.now + timing.marginMs - retentionMs;
    const affected = olderThan(facts, cutoff);
    if (affected.records > 0) {
      const oldest = Math.min(...facts.partitions.flatMap((p) => (p.oldest === null ? [] : [p.oldest])));
      const needed = Math.ceil((timing.now - oldest + timing.marginMs) / DAY) * DAY;
      problem(
        'retention.ms',
        'drops',
        affected,
        `keeps records for ${describeMs(retentionMs)}, the oldest planned record is ${describeMs(timing.now - oldest)} old (margin ${describeMs(timing.marginMs)})`,
        `raise it for the job's duration: ${alter('retention.ms', String(needed))}`,
      );
    }
  }

  // retention.bytes deletes a partition's oldest segments (by offset) while it is larger. Copies land
  // after what the partition already holds, so that goes first: a copy is lost only when the planned
  // bytes alone do not fit. Once written (verify, purge), purge's anchor read-back proves they are
  // still there. What the copy pushes out of the partition is other data of the destination: said.
  const retentionBytes = setting('retention.bytes');
  if (retentionBytes >= 0 && !facts.written) {
    const over = facts.partitions.filter((p) => p.records > 0 && p.bytes > retentionBytes);
    if (over.length > 0) {
      const worst = over.reduce((a, b) => (b.bytes > a.bytes ? b : a));
      const needed = Math.ceil((worst.bytes * 1.25) / MIB) * MIB;
      const records = over.reduce((sum, p) => sum + p.records, 0);
      problem(
        'retention.bytes',
        'drops',
        { records, upTo: true },
        `keeps ${retentionBytes} byte(s) per partition, ${worst.bytes} byte(s) are planned into partition ${worst.partition}`,
        `raise it for the job's duration: ${alter('retention.bytes', String(needed))}`,
      );
    }
    const crowded = facts.partitions.filter(
      (p) => p.records > 0 && p.bytes <= retentionBytes && p.existingBytes !== null && p.bytes + p.existingBytes > retentionBytes,
    );
    const fullest = crowded.reduce<PlannedPartition | undefined>(
      (a, b) => (!a || b.bytes + (b.existingBytes ?? 0) > a.bytes + (a.existingBytes ?? 0) ? b : a),
      undefined,
    );
    if (fullest) {
      const pushed = fullest.bytes + (fullest.existingBytes ?? 0) - retentionBytes;
      problems.push({
        topic: facts.topic,
        setting: 'retention.bytes',
        records: 0,
        upTo: true,
        kind: 'displaces',
        message: `destination ${facts.topic}: retention.bytes=${retentionBytes}: the copy pushes about ${pushed} byte(s) of older data out of partition ${fullest.partition} (it holds ${fullest.existingBytes}, ${fullest.bytes} planned; ${crowded.length} partition(s) like this); the copies themselves fit`,
      });
    }
  }
  if (
    (facts.configs.get('cleanup.policy') ?? KAFKA_DEFAULTS['cleanup.policy']!).split(',').some((p) => p.trim() === 'compact') &&
    facts.keyless !== null &&
    facts.keyless > 0
  ) {
    if (facts.written)
      problem(
        'cleanup.policy',
        'drops',
        { records: facts.keyless, upTo: false },
        'is compacted and its cleaner deletes records without a key',
        `set it back: ${alter('cleanup.policy', 'delete')}`,
      );
    else
      problem(
        'cleanup.policy',
        'refuses',
        { records: facts.keyless, upTo: false },
        'is compacted and refuses records without a key',
        `${alter('cleanup.policy', 'delete')} for the job, or copy into a topic that is not compacted`,
      );
  }
  if (facts.written) return problems;

  const beforeMax = setting('message.timestamp.before.max.ms');
  const tooOld = olderThan(facts, timing.now + timing.marginMs - beforeMax);
  if (tooOld.records > 0) {
    const oldest = Math.min(...facts.partitions.flatMap((p) => (p.oldest === null ? [] : [p.oldest])));
    const needed = Math.ceil((timing.now - oldest + timing.marginMs) / DAY) * DAY;
    problem(
      'message.timestamp.before.max.ms',
      'refuses',
      tooOld,
      `accepts records up to ${describeMs(beforeMax)} old, the oldest planned record is ${describeMs(timing.now - oldest)} old`,
      `raise it for the job's duration: ${alter('message.timestamp.before.max.ms', String(needed))}`,
    );
  }

  const afterMax = setting('message.timestamp.after.max.ms');
  const future = newerThan(facts, timing.now + afterMax);
  if (future.records > 0) {
    const newest = Math.max(...facts.partitions.flatMap((p) => (p.newest === null ? [] : [p.newest])));
    const needed = Math.ceil((newest - timing.now + HOUR) / HOUR) * HOUR;
    problem(
      'message.timestamp.after.max.ms',
      'refuses',
      future,
      `accepts records up to ${describeMs(afterMax)} ahead, the newest planned record is ${describeMs(newest - timing.now)} ahead (${new Date(newest).toISOString()})`,
      `raise it for the job's duration: ${alter('message.timestamp.after.max.ms', String(needed))}`,
    );
  }
  return problems;
}

interface Affected {
  records: number;
  upTo: boolean;
}

/** Records of partitions holding a record older than `cutoff`: all of them when even the newest is older. */
function olderThan(facts: KeepFacts, cutoff: number): Affected {
  let records = 0;
  let upTo = !facts.exact;
  for (const p of facts.partitions) {
    if (p.records === 0 || p.oldest === null || p.oldest >= cutoff) continue;
    records += p.records;
    if (p.newest === null || p.newest >= cutoff) upTo = true;
  }
  return { records, upTo };
}

function newerThan(facts: KeepFacts, cutoff: number): Affected {
  let records = 0;
  let upTo = !facts.exact;
  for (const p of facts.partitions) {
    if (p.records === 0 || p.newest === null || p.newest <= cutoff) continue;
    records += p.records;
    if (p.oldest === null || p.oldest <= cutoff) upTo = true;
  }
  return { records, upTo };
}

/** The other way out of a problem of kind "drops", where a flag can accept it (plan, copy, verify; never purge). */
export const ACCEPT_LOSS_WAY = ' (or accept that loss on the destination with --accept-destination-loss; purge still refuses)';

export function describeMs(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= DAY) return `${(ms / DAY).toFixed(1)} days`;
  if (abs >= 2 * HOUR) return `${(ms / HOUR).toFixed(1)} hours`;
  if (abs >= 2 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}
