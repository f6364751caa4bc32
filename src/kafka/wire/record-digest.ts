import { hash } from 'node:crypto';
import type { RecordContent } from './record.ts';

/** The digest's input, laid out in one reused buffer: one one-shot hash per record is far cheaper than a Hash object fed field by field. */
let scratch = Buffer.allocUnsafe(64 * 1024);

function putBytes(value: Buffer | null, at: number): number {
  scratch.writeInt32BE(value === null ? -1 : value.length, at);
  if (value === null || value.length === 0) return at + 4;
  value.copy(scratch, at + 4);
  return at + 4 + value.length;
}

function inputSize(record: RecordContent): number {
  let size = 8 + 4 + (record.key?.length ?? 0) + 4 + (record.value?.length ?? 0) + 4;
  for (const [key, value] of record.headers) size += 8 + key.length + (value?.length ?? 0);
  return size;
}

/**
 * What a digest covers. "all-but-timestamp" serves destinations that stamp records with the append
 * time (LogAppendTime), where no copy can keep the original timestamp.
 */
export type DigestFields = 'all' | 'all-but-timestamp';

/**
 * sha256 of everything a copy must keep: timestamp, key, value, headers in order. Length prefixes
 * keep null apart from empty and stop one field's bytes from posing as another's.
 */
export function recordDigest(record: RecordContent, fields: DigestFields = 'all'): Buffer {
  const size = inputSize(record);
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  let at = 0;
  if (fields === 'all') {
    scratch.writeBigInt64BE(record.timestamp, 0);
    at = 8;
  }
  at = putBytes(record.key, at);
  at = putBytes(record.value, at);
  scratch.writeInt32BE(record.headers.length, at);
  at += 4;
  for (const [key, value] of record.headers) {
    at = putBytes(key, at);
    at = putBytes(value, at);
  }
  return hash('sha256', scratch.subarray(0, at), 'buffer');
}

/** Bytes of a record's content, the size figure used in plans and progress. */
export function recordBytes(record: RecordContent): number {
  let size = (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [key, value] of record.headers) size += key.length + (value?.length ?? 0);
  return size;
}
