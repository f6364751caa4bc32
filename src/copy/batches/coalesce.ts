import { ATTRIBUTE, type BatchView } from '../../kafka/wire/batch/batch-header.ts';
import type { BufferPool } from '../../kafka/net/buffer-pool.ts';
import { MERGE_TARGET_BYTES, canMerge, mergeBatches } from './batch-merge.ts';
import type { ChunkAction } from './chunk-actions.ts';

/** The compression of the source batches a batch's records came from: a joined batch is written with it, so only equals join. */
function sourceCompression(batch: BatchView): number {
  return batch.sourceCompression ?? batch.attributes & ATTRIBUTE.compression;
}

/**
 * Runs of small uncompressed batches that follow each other, and whose records came from batches
 * of one compression, are forwarded as one batch (see mergeBatches); anything else passes unchanged. `merged` counts the source batches joined.
 * With a pool, joined batches are built in its buffers, and rebuilt batches joined into another
 * go back to it at once.
 */
export function coalesce(actions: ChunkAction[], maxBatchBytes: number, pool?: BufferPool): { actions: ChunkAction[]; merged: number } {
  const limit = Math.min(MERGE_TARGET_BYTES, maxBatchBytes);
  const out: ChunkAction[] = [];
  let run: Array<ChunkAction & { kind: 'forward' }> = [];
  let runBytes = 0;
  let merged = 0;
  /** Joins a run; renumbered records can outgrow their batches (see below), and a run that did is joined in halves. */
  const join = (batches: Array<ChunkAction & { kind: 'forward' }>): void => {
    if (batches.length === 1) {
      out.push(batches[0]!);
      return;
    }
    const bytes = mergeBatches(
      batches.map((a) => a.batch),
      pool ? (size) => pool.take(size) : undefined,
    );
    // Offset and timestamp deltas, counted from one base, can take more bytes than the batch
    // headers that joining saves: the joined batch may exceed what the destination takes.
    if (bytes.length > maxBatchBytes) {
      pool?.release(bytes);
      const half = Math.ceil(batches.length / 2);
      join(batches.slice(0, half));
      join(batches.slice(half));
      return;
    }
    if (pool) for (const action of batches) if (action.batch.rebuilt) pool.release(action.batch.bytes);
    const first = batches[0]!.batch;
    const last = batches[batches.length - 1]!.batch;
    const recordCount = batches.reduce((n, a) => n + a.batch.recordCount, 0);
    const skipped = batches.reduce((n, a) => n + (a.skipped ?? 0), 0);
    out.push({
      kind: 'forward',
      batch: {
        bytes,
        baseOffset: first.baseOffset,
        lastOffset: last.lastOffset,
        magic: 2,
        attributes: 0,
        producerId: -1n,
        recordCount,
        lastOffsetDelta: recordCount - 1,
        rebuilt: true,
        sourceCompression: sourceCompression(first),
        joinedFrom: batches.length,
      },
      ...(skipped > 0 ? { skipped } : {}),
    });
    merged += batches.length;
  };
  const close = (): void => {
    if (run.length > 0) join(run);
    run = [];
    runBytes = 0;
  };
  for (const action of actions) {
    if (action.kind !== 'forward' || !canMerge(action.batch)) {
      close();
      out.push(action);
      continue;
    }
    if (runBytes + action.batch.bytes.length > limit || (run.length > 0 && sourceCompression(run[0]!.batch) !== sourceCompression(action.batch))) close();
    run.push(action);
    runBytes += action.batch.bytes.length;
  }
  close();
  return { actions: out, merged };
}
