import { KrerouteError } from '../../common/errors.ts';
import { AbortedTransactions } from '../../kafka/wire/batch/aborted-transactions.ts';
import { type AbortedTransaction, extractRecords } from '../../kafka/wire/batch/batch-records.ts';
import { isAbortMarker } from '../../kafka/wire/batch/committed-batches.ts';
import { ATTRIBUTE, type BatchView, splitBatches } from '../../kafka/wire/batch/batch-header.ts';
import { decodeBatch } from '../../kafka/wire/batch/record-batch-decoder.ts';
import type { FetchedRecord } from '../../kafka/wire/record.ts';
import type { RawRecordFilter } from '../../plan/filter/raw-record-filter.ts';
import { canFilterInPlace, filterBatch } from './batch-filter.ts';
import type { Allocate } from './batch-merge.ts';

/**
 * What to do with a stretch of a fetched partition, in log order. `skipped`: records of the stretch
 * that the filter left out (counted apart from the records it carries).
 */
export type ChunkAction =
  | { kind: 'forward'; batch: BatchView; skipped?: number }
  /** `compression`: the compression bits of the source batches the records were decoded from. */
  | { kind: 'records'; records: FetchedRecord[]; skipped?: number; compression?: number };

export interface ChunkPlan {
  actions: ChunkAction[];
  /** Every offset below this has been dealt with. */
  next: bigint;
  /** Committed data records the actions carry (before any filter). */
  records: number;
}

export interface ChunkRules {
  /** The range: offsets in [from, end). */
  from: bigint;
  end: bigint;
  /** Passthrough allowed at all (mapping "same", the user did not ask for record mode). */
  forwardAllowed: boolean;
  /** The plan's tenant filter: forwarded batches are then filtered in place (see filterBatch). */
  filter?: RawRecordFilter;
  /** Largest batch the destination takes. */
  maxBatchBytes: number;
  /** Offsets an interrupted run already wrote: their batches must be decoded to leave them out. */
  alreadyWritten: ReadonlySet<string>;
  /** Where filtered batches are built. */
  allocate?: Allocate;
}

function decode(batch: BatchView) {
  if (batch.magic < 2) {
    throw new KrerouteError(
      'UNSUPPORTED',
      `a batch at offset ${batch.baseOffset} uses the legacy message format v${batch.magic}, which kreroute does not read`,
      {
        hint: 'plan a range that starts after it, or copy those records with another tool',
      },
    );
  }
  return decodeBatch(batch);
}

function touchesAlreadyWritten(batch: BatchView, alreadyWritten: ReadonlySet<string>): boolean {
  if (alreadyWritten.size === 0) return false;
  for (const offset of alreadyWritten) {
    const o = BigInt(offset);
    if (o >= batch.baseOffset && o <= batch.lastOffset) return true;
  }
  return false;
}

/**
 * Decides, batch by batch, what of a fetched partition is copied and how. A batch is forwarded as
 * it is (header rewritten by the producer) when it lies wholly inside the range, is data (not a
 * control batch), is committed, has offsets without gaps (the broker renumbers 0..n-1 and checks
 * `lastOffsetDelta + 1 = count`), keeps CreateTime timestamps (a LogAppendTime batch would be
 * refused), and fits the destination's max.message.bytes. With a filter, such a batch keeps the
 * records that match, still undecoded (decompressed if need be). Everything else is decoded and the
 * records in range are re-encoded. Aborted transactions are recognised as Kafka's consumer does.
 */
export function planChunk(records: Buffer, aborted: AbortedTransaction[] | null, rules: ChunkRules): ChunkPlan {
  const batches = splitBatches(records);
  const transactions = new AbortedTransactions(aborted);
  const actions: ChunkAction[] = [];
  let next = rules.from;
  let count = 0;
  for (const batch of batches) {
    if (batch.baseOffset >= rules.end) {
      next = rules.end;
      break;
    }
    if (batch.lastOffset < rules.from) continue;
    next = batch.lastOffset + 1n < rules.end ? batch.lastOffset + 1n : rules.end;
    transactions.reach(batch.lastOffset);
    const transactional = (batch.attributes & ATTRIBUTE.transactional) !== 0;
    if ((batch.attributes & ATTRIBUTE.control) !== 0) {
      if (transactional && transactions.isAborted(batch.producerId) && isAbortMarker(batch)) transactions.close(batch.producerId);
      continue;
    }
    if (transactional && transactions.isAborted(batch.producerId)) continue;
    const whole =
      rules.forwardAllowed &&
      batch.magic === 2 &&
      batch.baseOffset >= rules.from &&
      batch.lastOffset < rules.end &&
      (batch.attributes & ATTRIBUTE.logAppendTime) === 0 &&
      batch.bytes.length <= rules.maxBatchBytes &&
      !touchesAlreadyWritten(batch, rules.alreadyWritten);
    if (whole && !rules.filter && batch.recordCount === batch.lastOffsetDelta + 1) {
      actions.push({ kind: 'forward', batch });
      count += batch.recordCount;
      continue;
    }
    if (whole && rules.filter && canFilterInPlace(batch)) {
      const { bytes, kept } = filterBatch(batch, rules.filter, rules.allocate);
      const skipped = batch.recordCount - kept;
      // Kept records of a compressed batch, joined uncompressed, may not fit: they go record by record.
      if (bytes === null || bytes.length <= rules.maxBatchBytes) {
        count += batch.recordCount;
        if (bytes === null) actions.push({ kind: 'records', records: [], skipped });
        else if (bytes === batch.bytes) actions.push({ kind: 'forward', batch, skipped });
        else
          actions.push({
            kind: 'forward',
            batch: {
              ...batch,
              bytes,
              attributes: 0,
              producerId: -1n,
              recordCount: kept,
              lastOffsetDelta: kept - 1,
              rebuilt: true,
              sourceCompression: batch.attributes & ATTRIBUTE.compression,
            },
            skipped,
          });
        continue;
      }
    }
    const inRange = extractRecords([decode(batch)], null, rules.from).records.filter((r) => r.offset < rules.end);
    count += inRange.length;
    const last = actions[actions.length - 1];
    if (last?.kind === 'records') last.records.push(...inRange);
    else actions.push({ kind: 'records', records: inRange, compression: batch.attributes & ATTRIBUTE.compression });
  }
  // Nothing at all came back below the end: the rest of the range holds no records (compacted away).
  return { actions, next, records: count };
}
