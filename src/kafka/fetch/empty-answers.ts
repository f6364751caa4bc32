import { setTimeout as sleep } from 'node:timers/promises';
import { KrerouteError } from '../../common/errors.ts';
import type { KafkaCluster } from '../client/cluster.ts';
import { WAIT_NOTICE_MS } from '../net/wait-notice.ts';

/** The offsets a fetch answer gives for a partition, whatever records it brought. */
export interface AnswerOffsets {
  highWatermark: bigint;
  lastStableOffset: bigint;
}

/** A partition range being read: offsets [offset, end). */
export interface ReadPosition {
  topic: string;
  partition: number;
  offset: bigint;
  end: bigint;
}

export interface EmptyAnswerOptions {
  /** Which end of the log a reader sees: the last stable offset (read_committed) or the high watermark. */
  readCommitted: boolean;
  /** Told every 5 s while a partition keeps getting answers without records. */
  onWait?: (message: string) => void;
  /** How long a partition may get only answers without records before the read fails (default: the cluster's --wait-timeout, else stallLimitMs()). */
  limitMs?: number;
}

/** How long a read waits for records that the log says exist: KREROUTE_READ_STALL_LIMIT_S, default 120 s. */
export function stallLimitMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env['KREROUTE_READ_STALL_LIMIT_S']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 120_000;
}

const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 500;

interface Stall {
  offset: bigint;
  since: number;
  attempts: number;
  notBefore: number;
  lastNotice: number;
}

/**
 * What an answer without a single batch proves about the rest of a partition's range. Kafka
 * answers so when nothing committed is left below its last stable offset (compacted away), but
 * also when the records are there and could not be read in time: tiered storage answers a fetch
 * of a remote offset without records when the remote read outlasts `remote.fetch.max.wait.ms`.
 * The two look the same on the wire. Only a read from the leader's local log proves the gap, and
 * the log says which it was: a local log that starts at or before the offset (ListOffsets
 * EARLIEST_LOCAL, KIP-405; it only ever moves up) was read, and it holds nothing up to the stable
 * end. Anything else is no answer yet: asked again after a back-off, reported every 5 s, and a
 * clear error after the limit.
 */
export class EmptyAnswers {
  readonly #cluster: KafkaCluster;
  readonly #options: EmptyAnswerOptions;
  readonly #limitMs: number;
  readonly #stalls = new Map<string, Stall>();
  /** Per partition, the leader's local log start last seen: offsets below it are read from remote storage. */
  readonly #localStarts = new Map<string, bigint>();

  constructor(cluster: KafkaCluster, options: EmptyAnswerOptions) {
    this.#cluster = cluster;
    this.#options = options;
    this.#limitMs = options.limitMs ?? cluster.settings.waitTimeoutMs ?? stallLimitMs();
  }

  /** An answer brought batches for the partition: any wait for it is over. */
  progressed(position: ReadPosition): void {
    this.#stalls.delete(keyOf(position));
  }

  /**
   * An answer for the partition at `position.offset` brought no batch although the partition led
   * its request (so the broker owed it a batch if one was readable). Returns `position.end` when
   * the log proves that nothing committed is left below it; null when the partition is to be
   * fetched again (not before `delayMs`). Throws once it has waited longer than the limit.
   */
  async empty(position: ReadPosition, answer: AnswerOffsets): Promise<bigint | null> {
    const stableEnd = this.#options.readCommitted ? answer.lastStableOffset : answer.highWatermark;
    const localStart = stableEnd >= position.end ? await this.#localStart(position) : null;
    if (localStart !== null && localStart <= position.offset) {
      this.progressed(position);
      return position.end;
    }
    const key = keyOf(position);
    const now = Date.now();
    let stall = this.#stalls.get(key);
    if (!stall || stall.offset !== position.offset)
      this.#stalls.set(key, (stall = { offset: position.offset, since: now, attempts: 0, notBefore: now, lastNotice: now }));
    stall.attempts++;
    stall.notBefore = now + Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (stall.attempts - 1));
    const waited = now - stall.since;
    const why = this.#why(position, stableEnd, localStart);
    if (waited >= this.#limitMs) {
      throw new KrerouteError(
        'READ_STALLED',
        `${position.topic}[${position.partition}] on ${this.#cluster.label} answered ${stall.attempts} fetches at offset ${position.offset} in ${Math.round(waited / 1000)} s without records, ${why}`,
        {
          hint: 'run the same command again (it resumes); if it persists, see READ_STALLED in docs/errors.md (--wait-timeout sets how long to wait)',
        },
      );
    }
    if (now - stall.lastNotice >= WAIT_NOTICE_MS) {
      stall.lastNotice = now;
      this.#options.onWait?.(
        `waiting for records of ${position.topic}[${position.partition}] at offset ${position.offset} on ${this.#cluster.label} (${Math.round(waited / 1000)} s): ${why}`,
      );
    }
    return null;
  }

  /** How long to wait before fetching the partition again (0: now). */
  delayMs(position: ReadPosition): number {
    const stall = this.#stalls.get(keyOf(position));
    return stall && stall.offset === position.offset ? Math.max(0, stall.notBefore - Date.now()) : 0;
  }

  async #localStart(position: ReadPosition): Promise<bigint> {
    const key = keyOf(position);
    const known = this.#localStarts.get(key);
    // It only moves up: once above the offset, asking again cannot prove anything.
    if (known !== undefined && known > position.offset) return known;
    const [listed] = await this.#cluster.listOffsets(position.topic, [position.partition], { kind: 'earliest-local' }, this.#options.readCommitted);
    const localStart = listed?.offset ?? -1n;
    this.#localStarts.set(key, localStart);
    return localStart;
  }

  #why(position: ReadPosition, stableEnd: bigint, localStart: bigint | null): string {
    const which = this.#options.readCommitted ? 'last stable offset' : 'high watermark';
    if (stableEnd < position.end)
      return `its ${which} ${stableEnd} is below the range's end ${position.end} (an open transaction, or writes not yet replicated)`;
    if (localStart !== null && localStart > position.offset) {
      return `the offset is in tiered storage (the local log starts at ${localStart}) and the broker's remote reads do not finish within its remote.fetch.max.wait.ms`;
    }
    return `although its ${which} is ${stableEnd}`;
  }
}

/** Waits `ms` (resolves early when `signal` aborts). */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await sleep(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}

const keyOf = (position: ReadPosition): string => `${position.topic}\u0000${position.partition}`;
