import { type CheckpointView, type CopyCheckpoint, copiedBy, partitionKey } from './copy-checkpoint.ts';

type SourceState = CopyCheckpoint['sources'][string];
type DestinationState = CopyCheckpoint['destinations'][string];

/** What the ledger needs of a plan: where each source partition's range ends. */
export interface LedgerPlan {
  topics: ReadonlyArray<{ source: string; partitions: ReadonlyArray<{ partition: number; end: string }> }>;
}

/**
 * The only writer of a running copy's checkpoint; everyone else reads its view. Its rules:
 * - a source position never moves backwards, and a partition is done exactly when its position
 *   reaches the planned end;
 * - offsets marked already written (by an interrupted run) never lie behind the position: passing
 *   them forgets them;
 * - a destination end only rises;
 * - nothing is settled or published while a write is unacknowledged. A source position moves only
 *   once every write of its steps is acknowledged (see SourceProgress), so at those points the
 *   destination ends recorded never run ahead of the source positions recorded with them: past the
 *   ends lies only what later, unsaved steps wrote (what reconcile matches after a crash).
 * The ledger adopts the checkpoint it is given: from then on, change it only through the ledger.
 */
export class CheckpointLedger {
  readonly #checkpoint: CopyCheckpoint;
  readonly #ends = new Map<string, bigint>();
  #inFlight = 0;

  constructor(checkpoint: CopyCheckpoint, plan: LedgerPlan) {
    this.#checkpoint = checkpoint;
    for (const topic of plan.topics) for (const p of topic.partitions) this.#ends.set(partitionKey(topic.source, p.partition), BigInt(p.end));
  }

  get view(): CheckpointView {
    return this.#checkpoint;
  }

  source(key: string): CheckpointView['sources'][string] {
    return this.#source(key);
  }

  destination(key: string): CheckpointView['destinations'][string] {
    return this.#destination(key);
  }

  /** Records copied so far, over all source partitions. */
  copied(): number {
    return copiedBy(this.#checkpoint);
  }

  /** Writes sent and not yet acknowledged. */
  inFlight(): number {
    return this.#inFlight;
  }

  /** Moves a source partition's position to `next`, counting the records copied (and skipped by the filter) on the way. */
  advanceSource(key: string, next: bigint, counts: { copied: number; skipped?: number }): void {
    const state = this.#source(key);
    if (next < BigInt(state.next)) throw new Error(`checkpoint ledger: the position of ${key} would move backwards, from ${state.next} to ${next}`);
    state.next = String(next);
    state.copied += counts.copied;
    if (counts.skipped) state.skipped += counts.skipped;
    state.done = next >= this.#ends.get(key)!;
    if (state.alreadyWritten.length > 0) state.alreadyWritten = state.alreadyWritten.filter((o) => BigInt(o) >= next);
  }

  /** Records the filter left out of a step being written (counted when sent, as they need no write). */
  countSkipped(key: string, records: number): void {
    this.#source(key).skipped += records;
  }

  /** Marks source offsets past the position as written already (by an interrupted run): they are not written again. */
  markWritten(key: string, offsets: Iterable<bigint>): void {
    const state = this.#source(key);
    const marked = [...offsets];
    const behind = marked.find((o) => o < BigInt(state.next));
    if (behind !== undefined) throw new Error(`checkpoint ledger: offset ${behind} of ${key} lies behind its position ${state.next}`);
    state.alreadyWritten.push(...marked.map(String));
  }

  /** Our range on a destination partition reaches at least `end` (never lowers it). */
  raiseDestinationEnd(key: string, end: bigint): void {
    const state = this.#destination(key);
    if (state.end === null || BigInt(state.end) < end) state.end = String(end);
  }

  /** A batch is on its way to a destination partition; `rebuilt`: built here rather than forwarded as fetched. */
  writeSent(key: string, { rebuilt }: { rebuilt: boolean }): void {
    const state = this.#destination(key);
    if (rebuilt) state.rebuilt = true;
    this.#inFlight++;
  }

  /** A batch was acknowledged: `end`, the offset after it (null: acknowledged as a duplicate, no offset given). */
  writeAcknowledged(key: string, { records, end }: { records: number; end: bigint | null }): void {
    const state = this.#destination(key);
    this.#inFlight--;
    if (end !== null) this.raiseDestinationEnd(key, end);
    state.written += records;
  }

  /** A run with this producer id begins: its id is kept (once) before it writes, and where it began, for a rate. */
  beginRun(producerId: bigint, startedAt = new Date()): void {
    const id = String(producerId);
    if (!this.#checkpoint.producerIds.includes(id)) this.#checkpoint.producerIds.push(id);
    this.#checkpoint.run = { startedAt: startedAt.toISOString(), copiedBefore: this.copied() };
  }

  /** Every write is acknowledged: records how many this run's producer wrote to each destination partition (see reconcile). */
  settle(producerId: bigint, recordsSentTo: (topic: string, partition: number) => number): CheckpointView {
    this.#refuseInFlight('settled');
    for (const [key, state] of Object.entries(this.#checkpoint.destinations)) {
      const slash = key.lastIndexOf('/');
      state.lastRun = { producerId: String(producerId), records: recordsSentTo(key.slice(0, slash), Number(key.slice(slash + 1))) };
    }
    return this.#checkpoint;
  }

  /** The checkpoint as it is to be saved and published: whether the copy is complete, and when. */
  publish(complete: boolean, at = new Date()): CheckpointView {
    this.#refuseInFlight('published');
    this.#checkpoint.complete = complete;
    this.#checkpoint.updatedAt = at.toISOString();
    return this.#checkpoint;
  }

  #refuseInFlight(what: string): void {
    if (this.#inFlight > 0) throw new Error(`checkpoint ledger: ${this.#inFlight} write(s) unacknowledged; the checkpoint cannot be ${what} now`);
  }

  #source(key: string): SourceState {
    const state = this.#checkpoint.sources[key];
    if (!state) throw new Error(`checkpoint ledger: no source partition ${key} in this checkpoint`);
    return state;
  }

  #destination(key: string): DestinationState {
    const state = this.#checkpoint.destinations[key];
    if (!state) throw new Error(`checkpoint ledger: no destination partition ${key} in this checkpoint`);
    return state;
  }
}
