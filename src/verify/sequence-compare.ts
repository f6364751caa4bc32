import { createHash } from 'node:crypto';
import type { FetchedRecord } from '../kafka/wire/record.ts';
import { type DigestFields, recordDigest } from './record-digest.ts';
import { refOf } from './record-ref.ts';
import type { RecordRef } from './report.ts';

export interface Side {
  topic: string;
  partition: number;
  /** The records in order, a fetched chunk at a time. */
  records: AsyncIterable<FetchedRecord[]>;
}

/** Hands out a side's records one by one, synchronously while its current chunk lasts. */
class Cursor {
  readonly #chunks: AsyncIterator<FetchedRecord[]>;
  #chunk: FetchedRecord[] = [];
  #index = 0;
  #done = false;

  constructor(records: AsyncIterable<FetchedRecord[]>) {
    this.#chunks = records[Symbol.asyncIterator]();
  }

  get empty(): boolean {
    return !this.#done && this.#index >= this.#chunk.length;
  }

  async refill(): Promise<void> {
    while (this.empty) {
      const next = await this.#chunks.next();
      if (next.done) this.#done = true;
      else [this.#chunk, this.#index] = [next.value, 0];
    }
  }

  /** The next record, or null when the side has ended (call refill() first while empty). */
  take(): FetchedRecord | null {
    return this.#index < this.#chunk.length ? this.#chunk[this.#index++]! : null;
  }
}

export interface SequenceComparison {
  sourceCount: number;
  destinationCount: number;
  sourceDigest: string;
  destinationDigest: string;
  firstDivergence: number | null;
  missing: RecordRef[];
  extra: RecordRef[];
  altered: Array<{ source: RecordRef; destination: RecordRef }>;
  passed: boolean;
}

/** Differences kept in memory at most; past it only counts and digests go on. */
const MAX_PENDING = 100_000;

class Pending {
  readonly #entries = new Map<string, RecordRef[]>();
  size = 0;

  add(digest: string, ref: RecordRef): void {
    if (this.size >= MAX_PENDING) return;
    const list = this.#entries.get(digest);
    if (list) list.push(ref);
    else this.#entries.set(digest, [ref]);
    this.size++;
  }

  take(digest: string): boolean {
    const list = this.#entries.get(digest);
    if (!list) return false;
    list.shift();
    if (list.length === 0) this.#entries.delete(digest);
    this.size--;
    return true;
  }

  all(): RecordRef[] {
    return [...this.#entries.values()].flat();
  }
}

/**
 * Compares two ordered record streams in one pass: counts, an order-sensitive digest of each, and
 * where they differ — the first divergent position and the records missing, extra or altered
 * (same key and timestamp, other content). Memory grows with the differences, not the data.
 */
export async function compareSequences(source: Side, destination: Side, maxExamples: number, fields: DigestFields = 'all'): Promise<SequenceComparison> {
  const sourceHash = createHash('sha256');
  const destinationHash = createHash('sha256');
  const unmatchedSource = new Pending();
  const unmatchedDestination = new Pending();
  const s = new Cursor(source.records);
  const d = new Cursor(destination.records);
  let sourceCount = 0;
  let destinationCount = 0;
  let firstDivergence: number | null = null;
  for (let position = 0; ; position++) {
    // Both sides are read at once, and awaited only when a chunk runs out.
    if (s.empty || d.empty) await Promise.all([s.refill(), d.refill()]);
    const a = s.take();
    const b = d.take();
    if (a === null && b === null) break;
    const aDigest = a === null ? null : recordDigest(a, fields);
    const bDigest = b === null ? null : recordDigest(b, fields);
    if (aDigest) {
      sourceHash.update(aDigest);
      sourceCount++;
    }
    if (bDigest) {
      destinationHash.update(bDigest);
      destinationCount++;
    }
    if (aDigest && bDigest && aDigest.equals(bDigest)) continue;
    firstDivergence ??= position;
    if (aDigest && a) {
      const hex = aDigest.toString('hex');
      if (!unmatchedDestination.take(hex)) unmatchedSource.add(hex, refOf(source.topic, source.partition, a));
    }
    if (bDigest && b) {
      const hex = bDigest.toString('hex');
      if (!unmatchedSource.take(hex)) unmatchedDestination.add(hex, refOf(destination.topic, destination.partition, b));
    }
  }
  const sourceDigest = sourceHash.digest('hex');
  const destinationDigest = destinationHash.digest('hex');
  const { missing, extra, altered } = pairAltered(unmatchedSource.all(), unmatchedDestination.all(), fields);
  return {
    sourceCount,
    destinationCount,
    sourceDigest,
    destinationDigest,
    firstDivergence,
    missing: missing.slice(0, maxExamples),
    extra: extra.slice(0, maxExamples),
    altered: altered.slice(0, maxExamples),
    passed: sourceCount === destinationCount && sourceDigest === destinationDigest,
  };
}

/** A missing and an extra record with the same key and timestamp (if compared) are one altered record. */
function pairAltered(missing: RecordRef[], extra: RecordRef[], fields: DigestFields) {
  const identity = (ref: RecordRef) => (fields === 'all' ? `${ref.key}\u0000${ref.timestamp}` : `${ref.key}`);
  const byIdentity = new Map<string, RecordRef[]>();
  for (const ref of extra) {
    const id = identity(ref);
    const list = byIdentity.get(id);
    if (list) list.push(ref);
    else byIdentity.set(id, [ref]);
  }
  const altered: Array<{ source: RecordRef; destination: RecordRef }> = [];
  const stillMissing: RecordRef[] = [];
  for (const ref of missing) {
    const match = byIdentity.get(identity(ref))?.shift();
    if (match) altered.push({ source: ref, destination: match });
    else stillMissing.push(ref);
  }
  const pairedExtra = new Set(altered.map((a) => a.destination));
  return { missing: stillMissing, extra: extra.filter((e) => !pairedExtra.has(e)), altered };
}
