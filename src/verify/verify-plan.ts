import type { EventSink } from '../events.ts';
import type { ClientSettings } from '../kafka/client-settings.ts';
import type { Plan } from '../plan/plan.ts';

export interface VerifyOptions {
  source: ClientSettings;
  destination: ClientSettings;
  stateDir: string;
  /** How many example differences to report per partition. */
  maxExamples?: number;
  onEvent?: EventSink;
}

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
  /** Records on the destination inside the copied range that another producer wrote. */
  foreignRecords: number;
  passed: boolean;
  firstDivergence: number | null;
  missing: RecordRef[];
  extra: RecordRef[];
  altered: Array<{ source: RecordRef; destination: RecordRef }>;
}

export interface VerifyReport {
  planHash: string;
  passed: boolean;
  verifiedAt: string;
  partitions: PartitionVerdict[];
  /** Per source topic/partition: committed records in range that the filter did not match. */
  otherRecords: Array<{ topic: string; partition: number; count: number }>;
}

export async function verifyPlan(plan: Plan, options: VerifyOptions): Promise<VerifyReport> {
  throw new Error(`verifyPlan: being written (${plan.hash}, ${options.stateDir})`);
}
