import { readdir } from 'node:fs/promises';
import { KrerouteError, isKrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { checkpointKey, parseFamilyKey } from '../checkpoint/checkpoint-keys.ts';
import { type CopyCheckpoint, copiedBy, loadCheckpoint, parseCheckpoint } from '../checkpoint/copy-checkpoint.ts';
import { furtherCheckpoint } from '../checkpoint/further-checkpoint.ts';
import { DEFAULT_CHECKPOINT_TOPIC, DestinationCheckpointStore } from '../checkpoint/destination-store.ts';
import type { Plan } from '../plan/plan.ts';
import type { ShardRef } from './shard-layout.ts';
import { shardLabel, shardPlan } from './shard-plan.ts';
import { shardStateDir } from './shard-state-dir.ts';
import { claimedLayout } from './layout-claim.ts';

/** One copy of the job: the whole plan, or one shard, with its newest checkpoint (null: not started). */
export interface CopyPart {
  shard: ShardRef | null;
  plan: Plan;
  checkpoint: CopyCheckpoint | null;
}

/** What the clusters (and this machine's state folder) hold of a plan's copy. */
export interface JobState {
  /** How the copy is laid out: not started, whole, or N shards. */
  layout: { kind: 'none' } | { kind: 'whole' } | { kind: 'sharded'; count: number };
  parts: CopyPart[];
  /** The plan's raw checkpoint-topic values by key (verdicts included), for readers that need more. */
  family: Map<string, Buffer>;
  /** The offset of each of those values in the checkpoint topic: their order, independent of any clock. */
  familyOffsets: Map<string, bigint>;
}

export interface JobStateOptions {
  stateDir: string;
  checkpointTopic?: string;
  onWait?: (message: string) => void;
  /** false: what is committed now, without waiting for transactions open on the checkpoint topic (status). */
  waitForOpenTransactions?: boolean;
}

/**
 * The copy's state from the destination's checkpoint topic, where every shard keeps its checkpoint
 * (exactly-once: written in its transactions; at-least-once: mirrored), and from the local state
 * folder, which may be ahead for an at-least-once copy run here. Reads the topic once.
 */
export async function readJobState(plan: Plan, destination: KafkaCluster, options: JobStateOptions): Promise<JobState> {
  const store = new DestinationCheckpointStore(destination, options.checkpointTopic ?? DEFAULT_CHECKPOINT_TOPIC);
  const exists = await store.exists();
  // Purge trusts the newest verdict there: not on a topic that may have deleted a newer one.
  if (exists) await store.checkPolicy().catch(cannotCheckWithoutPermission);
  const read = exists
    ? await store.loadFamily(plan.hash, {
        ...(options.onWait ? { onWait: options.onWait } : {}),
        waitFor: options.waitForOpenTransactions === false ? 'none' : 'all',
      })
    : { committed: new Map<string, Buffer>(), offsets: new Map<string, bigint>(), seen: new Set<string>() };
  const family = read.committed;
  const familyOffsets = read.offsets;
  const layouts = new Set<number | 'whole'>();
  for (const key of read.seen) {
    const parsed = parseFamilyKey(plan.hash, key);
    if (parsed?.kind === 'checkpoint') layouts.add(parsed.shard?.count ?? 'whole');
  }
  for (const layout of await localLayouts(plan, options.stateDir)) layouts.add(layout);
  // A copier that claimed the layout and stopped before its first checkpoint still decided it.
  const claimed = layouts.size === 0 ? claimedLayout(plan.hash, read) : null;
  if (claimed !== null) layouts.add(claimed);
  if (layouts.size > 1) {
    throw new KrerouteError(
      'CHECKPOINT_MISMATCH',
      `this plan was copied in more than one layout (${[...layouts].map((l) => (l === 'whole' ? 'whole' : `${l} shards`)).join(', ')}): its records may be on the destination twice`,
      {
        hint: 'run kreroute verify to see what the destination holds; finish the copy in one layout only',
      },
    );
  }
  const [layout] = layouts;
  if (layout === undefined) return { layout: { kind: 'none' }, parts: [], family, familyOffsets };
  const parts: CopyPart[] = [];
  if (layout === 'whole') parts.push(await partOf(plan, null, family, store.topic, options.stateDir));
  else for (let index = 0; index < layout; index++) parts.push(await partOf(plan, { index, count: layout }, family, store.topic, options.stateDir));
  return { layout: layout === 'whole' ? { kind: 'whole' } : { kind: 'sharded', count: layout }, parts, family, familyOffsets };
}

/** Without DescribeConfigs on the checkpoint topic its policy cannot be read; copy, which needs it, has checked it. */
function cannotCheckWithoutPermission(error: unknown): void {
  if (!isKrerouteError(error) || error.code !== 'NOT_AUTHORIZED') throw error;
}

async function partOf(whole: Plan, shard: ShardRef | null, family: Map<string, Buffer>, topic: string, stateDir: string): Promise<CopyPart> {
  const plan = shard ? shardPlan(whole, shard) : whole;
  const key = checkpointKey(plan);
  const stored = family.get(key);
  const published = stored ? parseCheckpoint(stored.toString('utf8'), `record ${key} of ${topic}`, plan.hash) : null;
  const local = await loadCheckpoint(shard ? shardStateDir(stateDir, shard) : stateDir, plan.hash);
  return { shard, plan, checkpoint: furtherCheckpoint(local, published) };
}

/** Layouts of the copies this machine's state folder holds. */
async function localLayouts(plan: Plan, stateDir: string): Promise<Array<number | 'whole'>> {
  const layouts: Array<number | 'whole'> = [];
  if (await loadCheckpoint(stateDir, plan.hash).catch(() => null)) layouts.push('whole');
  const entries = await readdir(stateDir).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = /^shard-(\d+)-of-(\d+)$/.exec(entry);
    if (!match) continue;
    const shard = { index: Number(match[1]), count: Number(match[2]) };
    if (shard.index >= shard.count) continue;
    if (await loadCheckpoint(shardStateDir(stateDir, shard), shardPlan(plan, shard).hash).catch(() => null)) layouts.push(shard.count);
  }
  return layouts;
}

/** Shards (or the whole copy) not yet complete, described for one line: "shard 1/4 (copying: 120 of 900 records), shard 3/4 (not started)". */
export function unfinishedParts(state: JobState): string[] {
  return state.parts
    .filter((part) => !part.checkpoint?.complete)
    .map((part) => {
      const what = part.shard ? `shard ${shardLabel(part.shard)}` : 'the copy';
      if (!part.checkpoint) return `${what} (not started)`;
      return `${what} (${copiedBy(part.checkpoint)} of ~${part.plan.estimate.records} records)`;
    });
}
