import { createHash } from 'node:crypto';
import type { FetchedRecord } from '../kafka/record.ts';
import { type DigestFields, recordDigest } from './record-digest.ts';
import { refOf } from './record-ref.ts';
import type { RecordRef } from './verify-plan.ts';

export interface Side {
  topic: string;
  partition: number;
  records: AsyncIterable<FetchedRecord>;
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
  const s = source.records[Symbol.asyncIterator]();
  const d = destination.records[Symbol.asyncIterator]();
  let sourceCount = 0;
  let destinationCount = 0;
  let firstDivergence: number | null = null;
  for (let position = 0; ; position++) {
    const [a, b] = await Promise.all([s.next(), d.next()]);
    if (a.done && b.done) break;
    const aDigest = a.done ? null : recordDigest(a.value, fields);
    const bDigest = b.done ? null : recordDigest(b.value, fields);
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
    if (aDigest && !a.done) {
      const hex = aDigest.toString('hex');
      if (!unmatchedDestination.take(hex)) unmatchedSource.add(hex, refOf(source.topic, source.partition, a.value));
    }
    if (bDigest && !b.done) {
      const hex = bDigest.toString('hex');
      if (!unmatchedSource.take(hex)) unmatchedDestination.add(hex, refOf(destination.topic, destination.partition, b.value));
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
