import type { StoredBatch } from '../kafka/wire/batch/committed-batches.ts';
import { storedFields } from '../plan/filter/raw-record-filter.ts';
import { recordDigest } from './record-digest.ts';
import type { RecordAnchor } from './report.ts';

/** A destination record read in place, as purge will look for it again: its offset and its recordDigest. */
export function anchorAt(batch: StoredBatch, tailStart: number, timestamp: number, offsetDelta: number): RecordAnchor {
  const fields = storedFields(batch.records, tailStart);
  return { offset: String(batch.view.baseOffset + BigInt(offsetDelta)), digest: recordDigest({ ...fields, timestamp: BigInt(timestamp) }).toString('hex') };
}
