import { RecordCursor } from '../../kafka/wire/batch/record-cursor.ts';
import type { RecordHeader } from '../../kafka/wire/record.ts';
import type { RecordFilterSpec } from './filter-spec.ts';
import { type FilterInput, compileFilter } from './record-filter.ts';

/**
 * A tenant filter read against a record's stored bytes: `start` is where the record's key length
 * is (after its attributes, timestamp and offset deltas), in a batch's records section.
 */
export type RawRecordFilter = (records: Buffer, start: number) => boolean;

/** Key, value and headers of a stored record, as views. */
export function storedFields(records: Buffer, start: number): FilterInput {
  const cursor = new RecordCursor(records, start);
  const key = cursor.bytes();
  const value = cursor.bytes();
  const headers: RecordHeader[] = [];
  for (let n = cursor.varInt(); n > 0; n--) {
    const name = cursor.bytes();
    headers.push([name ?? Buffer.alloc(0), cursor.bytes()]);
  }
  return { key, value, headers };
}

/**
 * The same decision as compileFilter(spec), made without building record objects
 * where the spec allows: header and key-prefix filters compare bytes in place. Millions of small
 * records pass through here; an object per record cost a filtered copy most of its time.
 */
export function compileRawFilter(spec: RecordFilterSpec): RawRecordFilter {
  const cursor = new RecordCursor(Buffer.alloc(0));
  switch (spec.kind) {
    case 'header': {
      const name = Buffer.from(spec.name, 'utf8');
      const value = Buffer.from(spec.value, 'utf8');
      return (records, start) => {
        cursor.buffer = records;
        cursor.position = start;
        cursor.skipBytes(); // key
        cursor.skipBytes(); // value
        for (let n = cursor.varInt(); n > 0; n--) {
          if (cursor.bytesEqual(name)) {
            if (cursor.bytesEqual(value)) return true;
          } else {
            cursor.skipBytes();
          }
        }
        return false;
      };
    }
    case 'key-prefix': {
      const prefix = Buffer.from(spec.prefix, 'utf8');
      return (records, start) => {
        cursor.buffer = records;
        cursor.position = start;
        const length = cursor.varInt();
        if (length < prefix.length) return false; // a null key (-1) too
        for (let i = 0; i < prefix.length; i++) if (records[cursor.position + i] !== prefix[i]) return false;
        return true;
      };
    }
    default: {
      const filter = compileFilter(spec);
      return (records, start) => filter(storedFields(records, start));
    }
  }
}
