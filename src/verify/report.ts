import type { ShardRef } from '../shard/shard-layout.ts';
import type { PlannedTimestamps } from './planned-span.ts';

// What verify reports: saved per plan, rendered by the CLI, trusted by purge.

export interface RecordRef {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  timestamp: string;
}

export interface PartitionVerdict {
  sourceTopic: string;
  sourcePartitions: number[];
  destinationTopic: string;
  destinationPartition: number;
  sourceCount: number;
  destinationCount: number;
  sourceDigest: string;
  destinationDigest: string;
  /** Records on the destination since the plan was made that another producer wrote. */
  foreignRecords: number;
  passed: boolean;
  firstDivergence: number | null;
  missing: RecordRef[];
  extra: RecordRef[];
  altered: Array<{ source: RecordRef; destination: RecordRef }>;
  /** For mapping "key-hash": keys whose records differ. */
  differingKeys?: string[];
  /** Planned records on the destination partition more often than planned, by any producer (see findDuplicates). */
  duplicates?: Duplicates;
  /** The first and last of the copy's records verify read there: purge checks they are still there. */
  anchors: DestinationAnchors | null;
  /** Where verify stopped reading the destination partition (its window's end): purge reads what reached it after. */
  readTo?: string;
  /** The planned records' time span on this partition (null: none planned): purge looks for copies stamped within it. */
  plannedTimestamps?: PlannedTimestamps | null;
}

export interface RecordAnchor {
  offset: string;
  digest: string;
}

export interface DestinationAnchors {
  first: RecordAnchor;
  last: RecordAnchor;
}

export interface VerifyReport {
  planHash: string;
  /** Set when the report covers one verify shard of the plan only. */
  shard?: ShardRef;
  passed: boolean;
  verifiedAt: string;
  partitions: PartitionVerdict[];
  /** Per source topic/partition: committed records in range that the filter did not match. */
  otherRecords: Array<{ topic: string; partition: number; count: number }>;
  /**
   * Destination topics whose timestamps were not compared: they stamp records with the append time
   * (LogAppendTime, accepted by the plan). Key, value, headers, order and counts were.
   */
  timestampsNotCompared: string[];
}

export interface DuplicateExample {
  /** The planned record (on the source). */
  source: RecordRef;
  /** How often the plan holds it (once, unless the source itself holds it more than once). */
  planned: number;
  /** How often it is on the destination partition: the copy's own (as planned) and other producers'. */
  copies: number;
  /** Where the copies other producers wrote lie on the destination partition (the first ten). */
  otherCopiesAt: string[];
}

export interface Duplicates {
  /** Copies of planned records on the destination partition beyond the copy's own: each a record twice. */
  records: number;
  /** The destination offset the search began at: the window's start, or earlier (see findDuplicates). */
  searchedFrom: string;
  examples: DuplicateExample[];
}
