import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { KrerouteError } from '../common/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { fetchPartition } from '../kafka/fetch/fetch.ts';
import { produceRecord } from '../kafka/produce/produce-record.ts';
import { layoutClaimKey, parseFamilyKey } from '../checkpoint/checkpoint-keys.ts';
import type { DestinationCheckpointStore, FamilyRead } from '../checkpoint/destination-store.ts';
import type { Plan } from '../plan/plan.ts';
import { refuseLayout } from './layout-guard.ts';

interface Claim {
  offset: bigint;
  /** Shard count, or 'whole'. */
  layout: number | 'whole';
}

const EMPTY_FETCHES_MAX = 50;

/**
 * Claims the layout of a plan's copy (whole, or N shards) before anything is copied: the first
 * claim in the checkpoint topic's log wins, and every copier of another layout refuses. A
 * checkpoint alone cannot decide it: two layouts started together both read "no checkpoint yet".
 * Kafka has no compare-and-set, but a partition's log is one order every reader sees alike: each
 * copier that finds no claim appends its own (under a key of its own, so compaction keeps it),
 * then reads the log back up to past it and obeys the first claim there.
 */
export async function claimLayout(plan: Plan, destination: KafkaCluster, store: DestinationCheckpointStore, family: FamilyRead): Promise<void> {
  const root = plan.shard?.of ?? plan.hash;
  const mine: Claim['layout'] = plan.shard?.count ?? 'whole';
  // Claims the load read committed lie before any it could not read yet: the first of them is the first of all.
  let winner = firstCommittedClaim(root, family);
  if (!winner) {
    const someoneClaimed = [...family.seen].some((key) => parseFamilyKey(root, key)?.kind === 'layout');
    if (!someoneClaimed) {
      const value = { layout: mine, host: hostname(), claimedAt: new Date().toISOString() };
      await produceRecord(destination, store.topic, 0, store.record(layoutClaimKey(root, randomUUID()), value));
    }
    winner = await firstClaimInLog(root, destination, store.topic);
  }
  if (!winner) throw new KrerouteError('KAFKA', `the layout claim written to ${store.topic}[0] could not be read back`, { hint: 'run the same command again' });
  if (winner.layout !== mine)
    refuseLayout(plan, winner.layout === 'whole' ? null : { count: winner.layout }, `claimed first on the destination, ${store.topic} offset ${winner.offset}`);
}

function parseClaim(value: Buffer | null | undefined, offset: bigint): Claim | null {
  try {
    const layout = (JSON.parse(value?.toString('utf8') ?? '') as { layout?: unknown }).layout;
    if (layout === 'whole' || (typeof layout === 'number' && Number.isInteger(layout) && layout > 0)) return { offset, layout };
  } catch {
    // not a claim kreroute wrote: ignored
  }
  return null;
}

/** The layout the first claim read committed names (null: none read); for a job with no checkpoint yet. */
export function claimedLayout(root: string, family: Pick<FamilyRead, 'committed' | 'offsets'>): number | 'whole' | null {
  return firstCommittedClaim(root, family)?.layout ?? null;
}

function firstCommittedClaim(root: string, family: Pick<FamilyRead, 'committed' | 'offsets'>): Claim | null {
  let first: Claim | null = null;
  for (const [key, value] of family.committed) {
    if (parseFamilyKey(root, key)?.kind !== 'layout') continue;
    const claim = parseClaim(value, family.offsets.get(key) ?? -1n);
    if (claim && claim.offset >= 0n && (!first || claim.offset < first.offset)) first = claim;
  }
  return first;
}

/**
 * The first claim of the plan from the log's start to its end now. Claims are written outside
 * transactions, so reading uncommitted records sees them all without waiting for another
 * copier's open transaction.
 */
async function firstClaimInLog(root: string, destination: KafkaCluster, topic: string): Promise<Claim | null> {
  const [start] = await destination.listOffsets(topic, [0], { kind: 'earliest' }, false);
  const [end] = await destination.listOffsets(topic, [0], { kind: 'latest' }, false);
  let offset = start?.offset ?? 0n;
  const target = end?.offset ?? 0n;
  let empty = 0;
  while (offset < target) {
    const fetched = await fetchPartition(destination, topic, 0, offset, { maxBytes: 8 * 1024 * 1024, maxWaitMs: 200, readCommitted: false });
    for (const record of fetched.records) {
      if (record.offset >= target || !record.key || parseFamilyKey(root, record.key.toString('latin1'))?.kind !== 'layout') continue;
      const claim = parseClaim(record.value, record.offset);
      if (claim) return claim;
    }
    if (fetched.nextOffset > offset) {
      offset = fetched.nextOffset;
      empty = 0;
      continue;
    }
    if (++empty > EMPTY_FETCHES_MAX)
      throw new KrerouteError('KAFKA', `reading ${topic}[0] for the copy's layout claim made no progress at offset ${offset}`, {
        hint: 'run the same command again',
      });
    await sleep(100);
  }
  return null;
}
