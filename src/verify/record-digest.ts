import { createHash, type Hash } from 'node:crypto';
import type { RecordContent } from '../kafka/record.ts';
import type { PlanTopic } from '../plan/plan.ts';

function updateBytes(hash: Hash, value: Buffer | null, length: Buffer): void {
  length.writeInt32BE(value === null ? -1 : value.length, 0);
  hash.update(length.subarray(0, 4));
  if (value !== null && value.length > 0) hash.update(value);
}

/**
 * What a digest covers. "all-but-timestamp" serves destinations that stamp records with the append
 * time (LogAppendTime), where no copy can keep the original timestamp.
 */
export type DigestFields = 'all' | 'all-but-timestamp';

export function digestFieldsOf(topic: Pick<PlanTopic, 'destinationTimestamps'>): DigestFields {
  return topic.destinationTimestamps === 'log-append-time' ? 'all-but-timestamp' : 'all';
}

/**
 * sha256 of everything a copy must keep: timestamp, key, value, headers in order. Length prefixes
 * keep null apart from empty and stop one field's bytes from posing as another's.
 */
export function recordDigest(record: RecordContent, fields: DigestFields = 'all'): Buffer {
  const hash = createHash('sha256');
  const scratch = Buffer.allocUnsafe(8);
  if (fields === 'all') {
    scratch.writeBigInt64BE(record.timestamp, 0);
    hash.update(scratch);
  }
  updateBytes(hash, record.key, scratch);
  updateBytes(hash, record.value, scratch);
  scratch.writeInt32BE(record.headers.length, 0);
  hash.update(scratch.subarray(0, 4));
  for (const [key, value] of record.headers) {
    updateBytes(hash, key, scratch);
    updateBytes(hash, value, scratch);
  }
  return hash.digest();
}

/** Bytes of a record's content, the size figure used in plans and progress. */
export function recordBytes(record: RecordContent): number {
  let size = (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [key, value] of record.headers) size += key.length + (value?.length ?? 0);
  return size;
}
