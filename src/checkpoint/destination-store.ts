import { setTimeout as sleep } from 'node:timers/promises';
import { KrerouteError } from '../common/errors.ts';
import { protocolErrorIds } from '../kafka/client/errors.ts';
import type { KafkaCluster } from '../kafka/client/cluster.ts';
import { fetchPartition } from '../kafka/fetch/fetch.ts';
import type { RecordContent } from '../kafka/wire/record.ts';
import type { Plan } from '../plan/plan.ts';
import { checkpointKey, parseFamilyKey } from './checkpoint-keys.ts';
import { type CopyCheckpoint, parseCheckpoint } from './copy-checkpoint.ts';

export const DEFAULT_CHECKPOINT_TOPIC = 'kreroute-checkpoints';

/**
 * Every copier (every shard) writes its whole checkpoint about once a second, and every start
 * reads the partition from its beginning: small segments, rolled at least every 10 minutes, let
 * the cleaner keep only the latest checkpoint per key instead of hours of superseded ones (the
 * broker never compacts the active segment, 1 GB by default).
 */
const CHECKPOINT_TOPIC_CONFIGS = new Map([
  ['cleanup.policy', 'compact'],
  ['max.message.bytes', String(8 * 1024 * 1024)],
  ['segment.bytes', String(16 * 1024 * 1024)],
  ['segment.ms', String(10 * 60_000)],
  ['min.cleanable.dirty.ratio', '0.1'],
]);

/**
 * An exactly-once resume and purge's verdict depend on the latest record of each key staying in
 * the checkpoint topic for good: only compaction without time or size retention keeps it. A topic
 * made by hand (or by an older tool) with `cleanup.policy=delete` loses them after its retention.
 */
export function refuseDeletingPolicy(topic: string, configs: Map<string, string>, bootstrap: string): void {
  const policy = (configs.get('cleanup.policy') ?? 'delete').split(',').map((p) => p.trim());
  const retentionMs = configs.get('retention.ms') ?? '604800000';
  const retentionBytes = configs.get('retention.bytes') ?? '-1';
  const fix = (settings: string) =>
    `kafka-configs --bootstrap-server ${bootstrap} --alter --entity-type topics --entity-name ${topic} --add-config ${settings}`;
  if (!policy.includes('compact')) {
    throw new KrerouteError(
      'CHECKPOINT_TOPIC',
      `checkpoint topic ${topic} has cleanup.policy=${policy.join(',')} (retention.ms=${retentionMs}): its checkpoints and verdicts would be deleted, and a copy would start over or purge lose its verdict`,
      {
        hint: `make it compacted: ${fix('cleanup.policy=compact')} (or give another --checkpoint-topic, which kreroute creates compacted)`,
      },
    );
  }
  if (policy.includes('delete') && (retentionMs !== '-1' || retentionBytes !== '-1')) {
    throw new KrerouteError(
      'CHECKPOINT_TOPIC',
      `checkpoint topic ${topic} has cleanup.policy=compact,delete with retention.ms=${retentionMs} and retention.bytes=${retentionBytes}: its checkpoints and verdicts would be deleted after that`,
      {
        hint: `keep them for good: ${fix('cleanup.policy=compact')} (or retention.ms=-1,retention.bytes=-1), or give another --checkpoint-topic`,
      },
    );
  }
}

/**
 * How long a load waits for transactions left open on the checkpoint partition (another plan's
 * copier paused or killed between its checkpoint record and its commit). The broker aborts such a
 * transaction after its timeout (kreroute's: 60 s) plus its abort check interval (10 s by default).
 */
const STABLE_WAIT_MS = 150_000;
const NOTICE_EVERY_MS = 5_000;

export interface LoadOptions {
  /** Told every few seconds while an open transaction holds the partition back. */
  onWait?: (message: string) => void;
  stableWaitMs?: number;
}

export interface FamilyLoadOptions extends LoadOptions {
  /**
   * Whose latest committed value must not be missed: one key (a copier needs its own checkpoint
   * exactly, its siblings' only to know they exist), every key of the plan (verify, purge), or
   * none (status: what is committed now, never waiting for an open transaction). Default: all.
   */
  waitFor?: string | 'all' | 'none';
}

/** A plan's keys in the checkpoint topic: the latest committed value of each, and every key seen at all. */
export interface FamilyRead {
  committed: Map<string, Buffer>;
  /** Where each committed value lies in the partition: the order the destination gave them, whatever the writers' clocks said. */
  offsets: Map<string, bigint>;
  /** Keys with a record anywhere in the partition, committed or still in an open transaction. */
  seen: Set<string>;
}

/**
 * Checkpoints kept on the destination, in a compacted topic keyed by plan hash, written inside the
 * same transaction as the copied records — so the copy's position and its data commit together,
 * as MirrorMaker 2's exactly-once source connectors keep their offsets.
 */
export class DestinationCheckpointStore {
  readonly topic: string;
  readonly #cluster: KafkaCluster;

  constructor(cluster: KafkaCluster, topic = DEFAULT_CHECKPOINT_TOPIC) {
    this.#cluster = cluster;
    this.topic = topic;
  }

  /** Creates the topic, or refuses an existing one that could delete checkpoints and verdicts (see refuseDeletingPolicy). */
  async ensureTopic(): Promise<void> {
    if (await this.exists()) {
      await this.checkPolicy();
      return;
    }
    await this.#cluster.createTopic(this.topic, 1, CHECKPOINT_TOPIC_CONFIGS).catch(async (error: unknown) => {
      // Another copier (or an earlier run, killed while it waited for the topic) created it;
      // the brokers' metadata may take a moment to show it.
      if (!protocolErrorIds(error).includes('TOPIC_ALREADY_EXISTS') && !(await this.exists())) throw error;
      for (let attempt = 0; attempt < 100 && !(await this.exists()); attempt++) await sleep(100);
      if (!(await this.exists())) throw error;
    });
  }

  /** Refuses the existing topic when its policy could delete checkpoints or verdicts (see refuseDeletingPolicy). */
  async checkPolicy(): Promise<void> {
    refuseDeletingPolicy(this.topic, (await this.#cluster.topicConfigs(this.topic)).all, this.#cluster.settings.bootstrap.join(','));
  }

  async exists(): Promise<boolean> {
    return (await this.#cluster.topicLayouts([this.topic])).has(this.topic);
  }

  /** The last committed checkpoint of a plan (or shard), or null when the partition holds none. */
  async load(plan: Pick<Plan, 'hash' | 'shard'>, options: LoadOptions = {}): Promise<CopyCheckpoint | null> {
    const key = checkpointKey(plan);
    const latest = (await this.loadFamily(plan.shard?.of ?? plan.hash, { ...options, waitFor: key })).committed.get(key);
    return latest ? parseCheckpoint(latest.toString('utf8'), `record ${key} of ${this.topic}`, plan.hash) : null;
  }

  /**
   * The last committed value of every key of a plan (see checkpointKey): its checkpoints and
   * verdicts, whole or sharded. Every plan shares the one partition, so a transaction another
   * copier left open holds back its last stable offset, and records of this plan past it may
   * include its latest checkpoint. Then the load reads committed records up to the high watermark
   * seen at its start, waiting for the transactions open there to end: it never takes "nothing
   * visible yet" for "no checkpoint" (of the keys it waits for: see FamilyLoadOptions.waitFor).
   */
  async loadFamily(root: string, options: FamilyLoadOptions = {}): Promise<FamilyRead> {
    const ours = (key: Buffer | null): boolean =>
      key !== null && key.length >= root.length && key.toString('latin1', 0, root.length) === root && parseFamilyKey(root, key.toString('latin1')) !== null;
    const waitFor = options.waitFor ?? 'all';
    const awaited = waitFor === 'all' ? ours : waitFor === 'none' ? () => false : (key: Buffer | null) => key !== null && key.toString('latin1') === waitFor;
    const seen = new Set<string>();
    const [start] = await this.#cluster.listOffsets(this.topic, [0], { kind: 'earliest' }, false);
    const target = await this.#stableEnoughEnd(ours, awaited, seen);
    const waitMs = options.stableWaitMs ?? this.#cluster.settings.waitTimeoutMs ?? STABLE_WAIT_MS;
    const started = Date.now();
    let noticed = started;
    const latest = new Map<string, Buffer>();
    const offsets = new Map<string, bigint>();
    let offset = start?.offset ?? 0n;
    while (offset < target) {
      const fetched = await fetchPartition(this.#cluster, this.topic, 0, offset, { maxBytes: 8 * 1024 * 1024, maxWaitMs: 200, readCommitted: true });
      for (const record of fetched.records) {
        if (record.offset < target && ours(record.key)) {
          seen.add(record.key!.toString('latin1'));
          // A null value deletes the key (compaction tombstone).
          const key = record.key!.toString('latin1');
          if (record.value) {
            latest.set(key, record.value);
            offsets.set(key, record.offset);
          } else {
            latest.delete(key);
            offsets.delete(key);
          }
        }
      }
      if (fetched.nextOffset > offset) {
        offset = fetched.nextOffset;
        continue;
      }
      // Nothing past `offset` is stable yet: a transaction is open there.
      const waited = Date.now() - started;
      if (waited > waitMs) {
        throw new KrerouteError(
          'CHECKPOINT_UNSTABLE',
          `a transaction on ${this.topic}[0] has stayed open for ${Math.round(waited / 1000)} s; this plan's checkpoint may lie behind it`,
          {
            hint: 'another copier sharing the checkpoint topic is stuck (paused?): stop it or wait for the broker to abort its transaction, then run this command again',
          },
        );
      }
      if (Date.now() - noticed >= NOTICE_EVERY_MS) {
        noticed = Date.now();
        options.onWait?.(
          `waiting for an open transaction on ${this.topic}[0] at offset ${offset} (another copier's; the broker aborts it after its timeout) before reading this plan's checkpoint: ${Math.round(waited / 1000)} s so far`,
        );
      }
    }
    return { committed: latest, offsets, seen };
  }

  /**
   * Where reading committed records must get to: the high watermark when records of awaited keys
   * lie past the last stable offset (committed or not: waiting tells which), else the last stable
   * offset, so that plans with nothing behind another copier's open transaction never wait for
   * it. Notes in `seen` the plan's keys found past the last stable offset.
   */
  async #stableEnoughEnd(ours: (key: Buffer | null) => boolean, awaited: (key: Buffer | null) => boolean, seen: Set<string>): Promise<bigint> {
    const [high] = await this.#cluster.listOffsets(this.topic, [0], { kind: 'latest' }, false);
    const [stable] = await this.#cluster.listOffsets(this.topic, [0], { kind: 'latest' }, true);
    const end = high?.offset ?? 0n;
    let offset = stable?.offset ?? end;
    let waitToEnd = false;
    while (offset < end) {
      const fetched = await fetchPartition(this.#cluster, this.topic, 0, offset, { maxBytes: 8 * 1024 * 1024, maxWaitMs: 100, readCommitted: false });
      for (const record of fetched.records) {
        if (record.offset >= end || !ours(record.key)) continue;
        seen.add(record.key!.toString('latin1'));
        waitToEnd ||= awaited(record.key);
      }
      if (fetched.nextOffset <= offset) break;
      offset = fetched.nextOffset;
    }
    return waitToEnd ? end : (stable?.offset ?? end);
  }

  /** The record that holds a checkpoint or verdict under its key (see checkpointKey). */
  record(key: string, content: object): RecordContent {
    return { key: Buffer.from(key, 'latin1'), value: Buffer.from(JSON.stringify(content)), headers: [], timestamp: BigInt(Date.now()) };
  }
}
