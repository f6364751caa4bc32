import type { BatchView } from '../kafka/batch-header.ts';
import { MERGE_TARGET_BYTES, canMerge, mergeBatches } from './batch-merge.ts';
import type { ChunkAction } from './chunk-actions.ts';

/**
 * Runs of small uncompressed batches that follow each other are forwarded as one batch (see
 * mergeBatches); anything else passes unchanged. `merged` counts the source batches joined.
 */
export function coalesce(actions: ChunkAction[], maxBatchBytes: number): { actions: ChunkAction[]; merged: number } {
  const limit = Math.min(MERGE_TARGET_BYTES, maxBatchBytes);
  const out: ChunkAction[] = [];
  let run: BatchView[] = [];
  let runBytes = 0;
  let merged = 0;
  const close = (): void => {
    if (run.length === 1) out.push({ kind: 'forward', batch: run[0]! });
    if (run.length > 1) {
      const first = run[0]!;
      const last = run[run.length - 1]!;
      const recordCount = run.reduce((n, b) => n + b.recordCount, 0);
      out.push({
        kind: 'forward',
        batch: { bytes: mergeBatches(run), baseOffset: first.baseOffset, lastOffset: last.lastOffset, magic: 2, attributes: 0, producerId: -1n, recordCount, lastOffsetDelta: recordCount - 1 },
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
    run.push(action.batch);
    runBytes += action.batch.bytes.length;
  }
  close();
  return { actions: out, merged };
}
