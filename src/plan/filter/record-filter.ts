import { KrerouteError } from '../../common/errors.ts';
import type { RecordContent } from '../../kafka/wire/record.ts';
import type { RecordFilterSpec } from './filter-spec.ts';

/** What a filter looks at: never the timestamp, offset or producer. */
export type FilterInput = Pick<RecordContent, 'key' | 'value' | 'headers'>;

export type RecordFilter = (record: FilterInput) => boolean;

export const matchAll: RecordFilter = () => true;

function jsonField(value: Buffer | null, path: string[]): unknown {
  if (value === null || value.length === 0) return undefined;
  let current: unknown;
  try {
    current = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/** Compiles a filter spec; a JSON field matches its string form, or a number/boolean/null's JSON. */
export function compileFilter(spec: RecordFilterSpec | null | undefined): RecordFilter {
  if (!spec) return matchAll;
  switch (spec.kind) {
    case 'key-prefix': {
      const prefix = Buffer.from(spec.prefix, 'utf8');
      return (r) => r.key !== null && r.key.length >= prefix.length && r.key.subarray(0, prefix.length).equals(prefix);
    }
    case 'key-regex': {
      let regex: RegExp;
      try {
        regex = new RegExp(spec.pattern);
      } catch (error) {
        throw new KrerouteError('BAD_INPUT', `the key regex /${spec.pattern}/ is not valid: ${(error as Error).message}`);
      }
      return (r) => r.key !== null && regex.test(r.key.toString('utf8'));
    }
    case 'header': {
      const name = Buffer.from(spec.name, 'utf8');
      const value = Buffer.from(spec.value, 'utf8');
      return (r) => r.headers.some(([k, v]) => k.equals(name) && v !== null && v.equals(value));
    }
    case 'json-field': {
      const path = spec.path.split('.').filter((step) => step.length > 0);
      if (path.length === 0) throw new KrerouteError('BAD_INPUT', 'the JSON field path is empty', { hint: 'use e.g. --json-field tenant.id=acme' });
      return (r) => {
        const field = jsonField(r.value, path);
        if (field === undefined) return false;
        return typeof field === 'string' ? field === spec.value : JSON.stringify(field) === spec.value;
      };
    }
  }
}
