import type { EventSink } from '../events.ts';
import type { ClientSettings } from '../kafka/client-settings.ts';
import type { Plan } from '../plan/plan.ts';

export interface PurgeOptions {
  source: ClientSettings;
  stateDir: string;
  dryRun?: boolean;
  onEvent?: EventSink;
}

export interface PurgePartition {
  topic: string;
  partition: number;
  logStartBefore: string;
  deleteBefore: string;
  records: number;
  logStartAfter: string | null;
}

export interface PurgeReport {
  dryRun: boolean;
  partitions: PurgePartition[];
}

export async function purgePlan(plan: Plan, options: PurgeOptions): Promise<PurgeReport> {
  throw new Error(`purgePlan: being written (${plan.hash}, ${options.stateDir})`);
}
