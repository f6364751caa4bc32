import { RecordCursor } from './record-cursor.ts';
import { varIntSize, varLongSize } from '../varint.ts';

/** Attributes byte, and the largest timestamp and offset deltas a rebuilt batch may give a record. */
const LARGEST_PREFIX = 1 + varLongSize(0x7fffffffffffn) + varIntSize(0x7fffffff);

/** Bytes a stored record (its tail: key, value, headers) adds to a batch at most; see encodedRecordSize. */
export function largestEncodedSize(tailLength: number): number {
  const body = LARGEST_PREFIX + tailLength;
  return varIntSize(body) + body;
}

/** Bytes of a stored record's content (key, value, header names and values), read from its tail in place. */
export function storedContentBytes(cursor: RecordCursor, tailStart: number): number {
  cursor.position = tailStart;
  let size = Math.max(0, cursor.skipBytes()) + Math.max(0, cursor.skipBytes());
  for (let n = cursor.varInt(); n > 0; n--) size += Math.max(0, cursor.skipBytes()) + Math.max(0, cursor.skipBytes());
  return size;
}
