import { KrerouteError } from '../../common/errors.ts';
import { calendarProblem } from './calendar-time.ts';
import type { RecordFilterSpec } from '../../plan/filter/filter-spec.ts';
import type { PartitionMapping, RangePoint } from '../../plan/plan.ts';

/** Turns flag text into typed values; every failure is one BAD_INPUT line naming the flag. */
function bad(flag: string, message: string, hint: string): never {
  throw new KrerouteError('BAD_INPUT', `${flag}: ${message}`, { hint });
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
// Epoch values below this (Mar 1973 in ms) are almost surely seconds.
const SMALLEST_EPOCH_MS = 100_000_000_000;

/** `earliest` (for --from), `latest` (for --to), `offset:N`, `time:ISO8601` or `time:epochMs`. */
export function parseRangePoint(text: string, flag: '--from' | '--to'): RangePoint {
  const value = text.trim();
  const forms = flag === '--from' ? 'earliest, offset:N or time:<ISO 8601 | epoch ms>' : 'latest, offset:N or time:<ISO 8601 | epoch ms>';
  if (value === 'earliest' || value === 'latest') {
    const expected = flag === '--from' ? 'earliest' : 'latest';
    if (value !== expected) bad(flag, `"${value}" is not a ${flag === '--from' ? 'start' : 'end'}`, `use ${forms}`);
    return { kind: value };
  }
  if (value.startsWith('offset:')) {
    const digits = value.slice('offset:'.length);
    if (!/^\d+$/.test(digits)) bad(flag, `"${digits}" is not an offset`, 'write offset:N with N a whole number ≥ 0, e.g. offset:1200');
    return { kind: 'offset', offset: BigInt(digits) };
  }
  if (value.startsWith('time:')) return { kind: 'timestamp', ms: parseTime(value.slice('time:'.length), flag) };
  return bad(flag, `"${value}" is not a range point`, `use ${forms}`);
}

function parseTime(text: string, flag: string): bigint {
  if (/^\d+$/.test(text)) {
    const ms = BigInt(text);
    if (ms < BigInt(SMALLEST_EPOCH_MS)) bad(flag, `time:${text} looks like seconds since the epoch`, `give milliseconds, e.g. time:${text}000`);
    return ms;
  }
  if (ISO_WITHOUT_ZONE.test(text)) bad(flag, `time:${text} has no time zone`, `add Z for UTC or an offset, e.g. time:${text}Z`);
  if (!ISO_DATE.test(text) && !ISO_DATE_TIME.test(text)) {
    bad(flag, `"${text}" is not an ISO 8601 time`, 'write e.g. time:2026-11-01T00:00:00Z, time:2026-11-01 (UTC midnight) or time:1793491200000');
  }
  const problem = calendarProblem(text);
  if (problem !== null)
    bad(flag, `time:${text} is not a real date or time: ${problem}`, 'write a date and time that exist, e.g. time:2026-11-01 or time:2026-11-01T00:00:00Z');
  // Upper case: the form Date.parse is specified to read (it is lenient, not exact, with others).
  return BigInt(Date.parse(text.toUpperCase()));
}

/** The filter flags of plan and reroute; at most one may be given. */
export interface FilterFlags {
  keyPrefix?: string | undefined;
  keyRegex?: string | undefined;
  header?: string | undefined;
  jsonField?: string | undefined;
}

export function parseFilter(flags: FilterFlags): RecordFilterSpec | undefined {
  const given = (
    [
      ['--key-prefix', flags.keyPrefix],
      ['--key-regex', flags.keyRegex],
      ['--header', flags.header],
      ['--json-field', flags.jsonField],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (given.length > 1) bad(given.map(([f]) => f).join(' and '), 'only one filter can be given', 'choose the one field that identifies the tenant');
  if (flags.keyPrefix !== undefined) {
    if (flags.keyPrefix === '') bad('--key-prefix', 'the prefix is empty', 'give the key prefix of the tenant, e.g. --key-prefix tenant-b:');
    return { kind: 'key-prefix', prefix: flags.keyPrefix };
  }
  if (flags.keyRegex !== undefined) return { kind: 'key-regex', pattern: parseRegex(flags.keyRegex, '--key-regex') };
  if (flags.header !== undefined) {
    const { name, value } = splitAssignment(flags.header, '--header', 'NAME=VALUE, e.g. --header tenant=tenant-b');
    return { kind: 'header', name, value };
  }
  if (flags.jsonField !== undefined) {
    const { name, value } = splitAssignment(flags.jsonField, '--json-field', 'PATH=VALUE, e.g. --json-field tenant=tenant-b or --json-field customer.tenant=b');
    if (!/^[^.\s]+(?:\.[^.\s]+)*$/.test(name))
      bad('--json-field', `"${name}" is not a field path`, 'write field names separated by dots, e.g. customer.tenant');
    return { kind: 'json-field', path: name, value };
  }
  return undefined;
}

function splitAssignment(text: string, flag: string, form: string): { name: string; value: string } {
  const equals = text.indexOf('=');
  if (equals <= 0) bad(flag, `"${text}" is not NAME=VALUE`, `write ${form}`);
  return { name: text.slice(0, equals), value: text.slice(equals + 1) };
}

export function parseRegex(text: string, flag: string): string {
  if (text === '') bad(flag, 'the expression is empty', 'give a regular expression, e.g. ^tenant-b:');
  try {
    new RegExp(text);
  } catch (error) {
    bad(
      flag,
      `"${text}" is not a regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`,
      'use JavaScript regular expression syntax',
    );
  }
  return text;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** `--topic` values; each may also be a comma-separated list. */
export function parseTopics(values: string[]): string[] {
  const topics = values
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
  for (const topic of topics) {
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..')
      bad('--topic', `"${topic}" is not a valid topic name`, 'topic names use letters, digits, ".", "_" and "-" (at most 249)');
  }
  return [...new Set(topics)];
}

export function parseTopicName(text: string, flag: string): string {
  if (!TOPIC_NAME.test(text) || text === '.' || text === '..')
    bad(flag, `"${text}" is not a valid topic name`, 'topic names use letters, digits, ".", "_" and "-" (at most 249)');
  return text;
}

export function parseMapping(text: string): PartitionMapping {
  if (text === 'same' || text === 'key-hash') return text;
  return bad(
    '--mapping',
    `"${text}" is not a mapping`,
    "use same (partition N → N) or key-hash (the destination partition from the key, as Kafka's default partitioner does)",
  );
}

/** Records per second; `5000`, `5k` or `1.5m`. */
export function parseRate(text: string, flag = '--max-rate'): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  const factor = { '': 1, k: 1_000, m: 1_000_000 }[(match?.[2] ?? '').toLowerCase() as '' | 'k' | 'm'];
  const rate = match ? Number(match[1]) * factor : Number.NaN;
  if (!Number.isFinite(rate) || rate < 1) bad(flag, `"${text}" is not a rate`, `give records per second, e.g. ${flag} 5000 or ${flag} 5k`);
  return Math.floor(rate);
}

/** A size such as 64m, 512k, 1g or a plain number of bytes. */
export function parseBytes(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)(i?b)?$/i.exec(text.trim());
  const factor = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match?.[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = match ? Math.floor(Number(match[1]) * factor) : Number.NaN;
  if (!Number.isFinite(bytes) || bytes < 1024 * 1024) bad(flag, `"${text}" is not a size of at least 1m`, `give bytes with a unit, e.g. ${flag} 64m`);
  return bytes;
}

/** A duration: `90s`, `5m`, `1h`, `500ms`, or seconds alone (`30`); at least 1 s. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/i.exec(text.trim());
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match?.[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  const ms = match ? Math.round(Number(match[1]) * factor) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1_000) bad(flag, `"${text}" is not a duration of at least 1 s`, `give a number with a unit, e.g. ${flag} 90s or ${flag} 5m`);
  return ms;
}

/** Hours, e.g. 24 or 0.5, as milliseconds. */
export function parseHours(text: string, flag: string): number {
  const hours = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(hours)) bad(flag, `"${text}" is not a number of hours`, `give hours, e.g. ${flag} 24`);
  return Math.round(hours * 60 * 60 * 1000);
}

/** `I/N`: shard I (from 0) of N. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) bad('--shard', `"${text}" is not a shard`, 'write I/N: shard I (0 ≤ I < N) of N, e.g. --shard 0/4');
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index >= count) bad('--shard', `shard ${index}/${count} does not exist`, `write I/N with 0 ≤ I < N, e.g. --shard 0/${Math.max(1, count)}`);
  return { index, count };
}

/** `--workers N`, `--workers auto`, or a bare `--workers` (auto). */
export function parseWorkers(value: string | true): number | 'auto' {
  if (value === true || value === 'auto') return 'auto';
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1)
    bad('--workers', `"${value}" is not a number of workers`, 'give a whole number ≥ 1, or auto for one per core, e.g. --workers 4');
  return Number(value);
}

/** A TCP port, 0 (any free one) to 65535. */
export function parsePort(text: string, flag: string): number {
  if (!/^\d{1,5}$/.test(text.trim()) || Number(text) > 65535)
    bad(flag, `"${text}" is not a port`, `give a number from 1 to 65535 (0: any free port), e.g. ${flag} 9464`);
  return Number(text);
}
