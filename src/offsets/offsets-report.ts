/** What the group's move does on one destination partition, against its offset there now. */
export type GroupMove = 'new' | 'none' | 'forward' | 'backward';

/** One destination partition of one group: where it stands on the source and where it goes on the destination. */
export interface TranslatedPartition {
  sourceTopic: string;
  /** The group's committed offset per source partition feeding this destination partition (null: none). */
  sourceCommitted: Array<{ partition: number; offset: string | null }>;
  destinationTopic: string;
  destinationPartition: number;
  /** The group's committed offset on the destination now (null: none). */
  destinationCommitted: string | null;
  /** Where the group continues: the first copied record it has not consumed on the source (see Placement). */
  translated: string;
  /** Copied records on this partition, and how many of them the group consumed on the source. */
  copiedRecords: number;
  consumedRecords: number;
  /** Records at or after `translated` that the group already consumed on the source: seen twice (key-hash only). */
  replayedRecords: number;
  move: GroupMove;
  /** translated - destinationCommitted, in offsets (records of other producers included); null when the group has none there. */
  offsetsMoved: string | null;
}

export interface GroupTranslation {
  group: string;
  partitions: TranslatedPartition[];
  /** True once the translated offsets were committed on the destination (--execute). */
  committed: boolean;
}

export interface OffsetsReport {
  planHash: string;
  /** False: a dry run, nothing committed. */
  execute: boolean;
  groups: GroupTranslation[];
}
