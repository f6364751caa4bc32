import type { RecordFilterSpec } from './filter/filter-spec.ts';

/** Where a range starts or ends, as the user asked for it. */
export type RangePoint = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset'; offset: bigint } | { kind: 'timestamp'; ms: bigint };

export type PartitionMapping = 'same' | 'key-hash';

export interface PlanCheck {
  level: 'error' | 'warning' | 'info';
  code: string;
  topic?: string;
  partition?: number;
  message: string;
}

/** Counted by `plan --exact` (or learned by verify): what the range really holds. */
export interface ExactCount {
  records: number;
  bytes: number;
  largestRecordBytes: number;
  /** Committed records in the range that the filter did not match (other tenants). */
  otherRecords: number;
  minTimestamp: string | null;
  maxTimestamp: string | null;
  /** Counted records without a key (a compacted destination refuses them); absent in older plans. */
  keylessRecords?: number;
}

/** A record of the source range as the plan saw it: its offset and its recordDigest (hex). */
export interface RecordAnchor {
  offset: string;
  digest: string;
}

/**
 * The first and last committed data record of a planned source range (filter matches or not):
 * purge reads them back before it deletes, so a topic rewritten under the same name is not purged.
 */
export interface SourceAnchors {
  first: RecordAnchor;
  last: RecordAnchor;
}

export interface PlanPartition {
  partition: number;
  /** First offset to copy (inclusive), a decimal string. */
  start: string;
  /** Offset after the last to copy (exclusive), a decimal string. */
  end: string;
  /** Destination partition for mapping "same"; null for "key-hash". */
  destinationPartition: number | null;
  /** end - start: an upper bound (control records, aborted data, filter misses also occupy offsets). */
  upperBound: number;
  exact: ExactCount | null;
  /** Null: the range holds no committed data record. Absent in plans made before kreroute recorded anchors. */
  anchors?: SourceAnchors | null;
}

export interface PlanTopic {
  source: string;
  destination: string;
  sourcePartitions: number;
  destinationPartitions: number;
  /**
   * Topic ids (KIP-516) when the plan was made (the destination's after --create-topics created it):
   * copy, verify and purge refuse a topic whose id changed, i.e. one deleted and recreated under
   * the same name. Absent in plans made before kreroute recorded them, or from brokers without ids.
   */
  sourceTopicId?: string;
  destinationTopicId?: string;
  /** Destination limits the copy must respect. */
  destinationMaxMessageBytes: number;
  /**
   * The destination's high watermark per partition (index) when the plan was made: no copy of the
   * plan writes below it, so verify reads from here and sees everything any run of it wrote.
   * Absent in plans made before kreroute recorded it.
   */
  destinationStarts?: string[];
  /**
   * "log-append-time": the destination stamps every record with the time it was appended
   * (message.timestamp.type=LogAppendTime) and the plan accepted that (plan --accept-log-append-time):
   * copies lose their original timestamps, so verify compares everything but the timestamp.
   * Absent: timestamps are kept and compared.
   */
  destinationTimestamps?: 'log-append-time';
  /**
   * The codec the destination topic's compression.type fixes ('none' for `uncompressed`): the
   * batches the copy builds are written in it. Absent: `producer` (each batch keeps its codec).
   */
  destinationCompression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /**
   * --schemas translate: source schema id → the destination registry's id of the same schema
   * (decimal keys). The copy rewrites the ids of framed keys and values with it, and verify applies
   * it to the source records. Absent: ids are copied as they are.
   */
  schemaIdMap?: Record<string, number>;
  partitions: PlanPartition[];
}

export interface PlanPredecessor {
  planHash: string;
  planFile: string;
  /**
   * Where the chain of plans this one follows began, per topic: the first plan's start of every
   * source partition and the destination's ends then. Its copies lie after those destination
   * offsets; the overlap check of a follow-up tells them from other records (see follow-up-overlap.ts).
   */
  chain: ChainStart[];
}

export interface ChainStart {
  source: string;
  /** Per source partition (index); a partition added later starts at its log start. */
  starts: string[];
  /** Per destination partition (index). */
  destinationStarts: string[];
}

export interface PlanClusterRef {
  clusterId: string;
  bootstrap: string;
}

export interface Plan {
  format: 'kreroute-plan';
  version: 1;
  createdAt: string;
  source: PlanClusterRef;
  destination: PlanClusterRef;
  range: { from: string; to: string };
  filter: RecordFilterSpec | null;
  mapping: PartitionMapping;
  topics: PlanTopic[];
  estimate: { records: number; exact: boolean; bytes: number; seconds: number };
  checks: PlanCheck[];
  /**
   * Set on a shard of a plan (see shardPlan), never in a plan file: shard `index` of `count` of
   * the plan whose hash is `of`, cut for a copy or for a verify.
   */
  shard?: { index: number; count: number; of: string; purpose: 'copy' | 'verify' };
  /**
   * A follow-up plan (`plan --after`): it starts where the plan with this hash ended, and was made
   * from that plan's file. Absent in a first plan.
   */
  after?: PlanPredecessor;
  /** sha256 of the canonical JSON of every other field: a plan edited by hand is refused. */
  hash: string;
}
