/** One `key=value` entry of a .properties file, with the line it starts on (1-based). */
export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
  /** Where the entry came from when entries of several sources are merged (a file, or -X); else the set's file. */
  file?: string;
}

export class PropertiesSyntaxError extends Error {
  readonly line: number;

  constructor(line: number, message: string) {
    super(message);
    this.name = 'PropertiesSyntaxError';
    this.line = line;
  }
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\f';

interface LogicalLine {
  text: string;
  line: number;
}

/**
 * The logical lines of a properties text, as java.util.Properties.load reads them: comments
 * (`#` or `!` first) and blank lines dropped, leading blanks dropped, and a line ending in an odd
 * number of backslashes joined with the next (whose leading blanks are dropped too).
 */
function logicalLines(text: string): LogicalLine[] {
  const natural = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const result: LogicalLine[] = [];
  let pending: LogicalLine | null = null;
  for (let i = 0; i < natural.length; i++) {
    let raw = natural[i] ?? '';
    let start = 0;
    while (isBlank(raw[start])) start++;
    raw = raw.slice(start);
    if (pending === null) {
      if (raw === '' || raw.startsWith('#') || raw.startsWith('!')) continue;
    }
    let trailing = 0;
    while (trailing < raw.length && raw[raw.length - 1 - trailing] === '\\') trailing++;
    const continues = trailing % 2 === 1;
    const piece = continues ? raw.slice(0, -1) : raw;
    const current: LogicalLine = pending ? { text: pending.text + piece, line: pending.line } : { text: piece, line: i + 1 };
    if (continues && i < natural.length - 1) {
      pending = current;
    } else {
      pending = null;
      result.push(current);
    }
  }
  return result;
}

const SIMPLE_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Resolves `\t \n \r \f \uXXXX` and `\x` → `x`, as java.util.Properties does. */
function resolveEscapes(text: string, line: number): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === undefined) break;
    if (next === 'u') {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesSyntaxError(line, 'malformed \\uXXXX escape');
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}

/** Splits a logical line at the first unescaped `=`, `:` or blank, as java.util.Properties does. */
function splitEntry(text: string): { key: string; value: string; separated: boolean } {
  let keyEnd = 0;
  let escaped = false;
  for (; keyEnd < text.length; keyEnd++) {
    const c = text[keyEnd];
    if (escaped) {
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === '=' || c === ':' || isBlank(c)) {
      break;
    }
  }
  let valueStart = keyEnd;
  while (isBlank(text[valueStart])) valueStart++;
  if (text[valueStart] === '=' || text[valueStart] === ':') valueStart++;
  while (isBlank(text[valueStart])) valueStart++;
  return { key: text.slice(0, keyEnd), value: text.slice(valueStart), separated: keyEnd < text.length };
}

/** The shape of every Kafka client key; anything else on a line means the file is not a client properties file. */
export const PROPERTY_KEY = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Parses the text of a .properties file; a repeated key keeps its last value, as in Java. */
export function parseProperties(text: string): PropertyEntry[] {
  return parse(text, false);
}

/**
 * As parseProperties, but every line must be `key=value`, `key: value` or `key value` with a key
 * shaped like a Kafka key: a file that is something else is refused at its first such line
 * (the error names the line, never its text).
 */
export function parseClientProperties(text: string): PropertyEntry[] {
  return parse(text, true);
}

function parse(text: string, strict: boolean): PropertyEntry[] {
  const byKey = new Map<string, PropertyEntry>();
  for (const { text: logical, line } of logicalLines(text)) {
    const { key, value, separated } = splitEntry(logical);
    if (strict && (!separated || !PROPERTY_KEY.test(key))) {
      throw new PropertiesSyntaxError(line, 'is not a key=value line with a Kafka property name');
    }
    const entry = { key: resolveEscapes(key, line), value: resolveEscapes(value, line), line };
    byKey.delete(entry.key);
    byKey.set(entry.key, entry);
  }
  return [...byKey.values()];
}
