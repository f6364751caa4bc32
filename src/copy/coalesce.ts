import type { BufferPool } from '../kafka/buffer-pool.ts';
import { MERGE_TARGET_BYTES, canMerge, mergeBatches } from './batch-merge.ts';
import type { ChunkAction } from './chunk-actions.ts';

/**
 * Runs of small uncompressed batches that follow each other are forwarded as one batch (see
 * mergeBatches); anything else passes unchanged. `merged` counts the source batches joined.
 * With a pool, joined batches are built in its buffers, and rebuilt batches joined into another
 * go back to it at once.
 */
export function coalesce(actions: ChunkAction[], maxBatchBytes: number, pool?: BufferPool): { actions: ChunkAction[]; merged: number } {
  const limit = Math.min(MERGE_TARGET_BYTES, maxBatchBytes);
  const out: ChunkAction[] = [];
  let run: Array<ChunkAction & { kind: 'forward' }> = [];
  let runBytes = 0;
  let merged = 0;
  const close = (): void => {
    if (run.length === 1) out.push(run[0]!);
    if (run.length > 1) {
      const first = run[0]!.batch;
      const last = run[run.length - 1]!.batch;
      const recordCount = run.reduce((n, a) => n + a.batch.recordCount, 0);
      const skipped = run.reduce((n, a) => n + (a.skipped ?? 0), 0);
      const bytes = mergeBatches(run.map((a) => a.batch), pool ? (size) => pool.take(size) : undefined);
      if (pool) for (const action of run) if (action.batch.rebuilt) pool.release(action.batch.bytes);
      out.push({
        kind: 'forward',
        batch: { bytes, baseOffset: first.baseOffset, lastOffset: last.lastOffset, magic: 2, attributes: 0, producerId: -1n, recordCount, lastOffsetDelta: recordCount - 1, rebuilt: true },
        ...(skipped > 0 ? { skipped } : {}),
      });
      merged += run.length;
    }
    run = [];
    runBytes = 0;
  };
  for (const action of actions) {
    if (action.kind !== 'forward' || !canMerge(action.batch)) {
      close();
      out.push(action);
      continue;
    }
    if (runBytes + action.batch.bytes.length > limit) close();
    run.push(action);
    runBytes += action.batch.bytes.length;
  }
  close();
  return { actions: out, merged };
}
