import { KrerouteError } from '../common/errors.ts';
import { PROPERTY_KEY, type PropertyEntry } from './properties-format.ts';

/** One `-X [source:|dest:]key=value`: a client property for both clusters, or for one side. */
export interface PropertyOverride {
  side?: 'source' | 'destination';
  key: string;
  value: string;
}

const SIDES: Record<string, 'source' | 'destination'> = { source: 'source', dest: 'destination', destination: 'destination' };
const FORM = 'write -X key=value for both clusters, or -X source:key=value / -X dest:key=value for one, e.g. -X security.protocol=SASL_SSL';

/** Parses the text of one -X; the error never quotes it (the value may be a password). */
export function parsePropertyOverride(text: string, flag = '-X'): PropertyOverride {
  const equals = text.indexOf('=');
  if (equals < 0) throw new KrerouteError('BAD_INPUT', `${flag}: a value has no "=" between the key and the value`, { hint: FORM });
  let key = text.slice(0, equals).trim();
  const value = text.slice(equals + 1);
  const prefix = /^([a-z]+):/.exec(key);
  let side: PropertyOverride['side'];
  if (prefix) {
    side = SIDES[prefix[1] as string];
    if (side === undefined) throw new KrerouteError('BAD_INPUT', `${flag}: a key starts with a side other than source: or dest:`, { hint: FORM });
    key = key.slice(prefix[0].length);
  }
  if (!PROPERTY_KEY.test(key)) throw new KrerouteError('BAD_INPUT', `${flag}: a key is not a Kafka property name`, { hint: FORM });
  return side === undefined ? { key, value } : { side, key, value };
}

/** The overrides for one side, as properties entries named `-X` in messages; for-both first, so the side's own win. */
export function overrideEntries(overrides: readonly PropertyOverride[], side: 'source' | 'destination', flag = '-X'): PropertyEntry[] {
  const both = overrides.filter((o) => o.side === undefined);
  const own = overrides.filter((o) => o.side === side);
  return [...both, ...own].map(({ key, value }) => ({ key, value, line: 0, file: flag }));
}
