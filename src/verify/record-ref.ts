import type { FetchedRecord } from '../kafka/wire/record.ts';
import type { RecordRef } from './report.ts';

const PRINTABLE = /^[\x20-\x7e]*$/;

/** A key as a person can read it: text when printable, else hex. */
export function showKey(key: Buffer | null): string | null {
  if (key === null) return null;
  const text = key.toString('utf8');
  return PRINTABLE.test(text) ? text : `hex:${key.toString('hex')}`;
}

export function refOf(topic: string, partition: number, record: FetchedRecord): RecordRef {
  return { topic, partition, offset: String(record.offset), key: showKey(record.key), timestamp: String(record.timestamp) };
}
