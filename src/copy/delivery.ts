import type { PipelinedProducer } from '../kafka/produce/pipelined-producer.ts';
import type { CheckpointLedger } from '../checkpoint/ledger.ts';

/** Where a copy commits its progress: points at which written data and position become durable together. */
export interface TransactionBoundary {
  due(): boolean;
  /** Called with every write acknowledged and the checkpoint up to date. */
  commit(): Promise<void>;
  /**
   * Called before writing to these destination partitions: a transaction registers each one
   * once (AddPartitionsToTxn). Returns undefined when nothing needs to wait.
   */
  enlist(topic: string, partitions: Iterable<number>): Promise<void> | undefined;
  /** The open transaction must commit now, whatever it holds (it is old: see TransactionPace). */
  overdue(): boolean;
  /** Bytes that may wait for acknowledgement before the next write (Infinity: no bound beyond the memory budget). */
  unackedLimit(): number;
}

/**
 * How a copy delivers records and keeps its checkpoint. At-least-once: an idempotent producer and
 * a local checkpoint file, reconciled after a crash. Exactly-once: a transactional producer whose
 * every transaction carries the checkpoint too.
 */
export interface Delivery {
  readonly mode: 'exactly-once' | 'at-least-once';
  readonly producer: PipelinedProducer;
  /** The checkpoint's one writer; read it through ledger.view. */
  readonly ledger: CheckpointLedger;
  readonly resumed: boolean;
  /** Records found already written by an interrupted run and left out. */
  readonly reconciled: number;
  readonly boundary: TransactionBoundary | undefined;
  /** Progress moved (at-least-once: save soon). */
  onChange(): void;
  /** Makes the final state durable (complete or interrupted). */
  finish(complete: boolean): Promise<void>;
  /** Gives up on what is not yet durable (after an error). */
  abandon(): Promise<void>;
}
