import { KrerouteError } from '../common/errors.ts';
import type { RecordFilterSpec } from './filter/filter-spec.ts';
import type { Plan } from './plan.ts';

/** Partitions of one source topic, as in `orders[0..7]`. */
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** Every source partition a plan covers, by topic. */
export function plannedPartitions(plan: Plan): TopicPartitions[] {
  return plan.topics.map((t) => ({ topic: t.source, partitions: t.partitions.map((p) => p.partition) }));
}

/** The filter as the flag that sets it: `--key-prefix tenant-b:`; a user recognises a typo there. */
export function filterFlag(filter: RecordFilterSpec): string {
  // Quoted and escaped when empty or holding a space, a quote, a backslash or a control character: the line stays one line.
  const quoted = (value: string) => (value === '' || /[\s"'\\\p{C}]/u.test(value) ? JSON.stringify(value) : value);
  switch (filter.kind) {
    case 'key-prefix':
      return `--key-prefix ${quoted(filter.prefix)}`;
    case 'key-regex':
      return `--key-regex ${quoted(filter.pattern)}`;
    case 'header':
      return `--header ${quoted(`${filter.name}=${filter.value}`)}`;
    case 'json-field':
      return `--json-field ${quoted(`${filter.path}=${filter.value}`)}`;
  }
}

/** `orders[0..7], invoices[0, 2]`: runs of partitions written as first..last. */
export function describePartitions(topics: TopicPartitions[]): string {
  return topics.map((t) => `${t.topic}[${runs([...t.partitions].sort((a, b) => a - b)).join(', ')}]`).join(', ');
}

function runs(sorted: number[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j === i ? String(sorted[i]) : `${sorted[i]}..${sorted[j]}`);
    i = j + 1;
  }
  return out;
}

/** What to check first when a filter matched nothing: most often a typo in the tenant's value. */
export function filterHint(filter: RecordFilterSpec): string {
  switch (filter.kind) {
    case 'key-prefix':
      return "check the tenant's key prefix";
    case 'key-regex':
      return 'check the regular expression against a few keys of the topic';
    case 'header':
      return "check the header's name and the tenant's value";
    case 'json-field':
      return "check the field's path and the tenant's value";
  }
}

/**
 * EMPTY_RANGE for a filter that matched none of the records read in the planned range: a typo in
 * a tenant's name must not look like a finished job. `after` says what was (not) done.
 */
export function filterMatchedNothing(filter: RecordFilterSpec, topics: TopicPartitions[], recordsRead: number, after: string): KrerouteError {
  return new KrerouteError(
    'EMPTY_RANGE',
    `${filterFlag(filter)} matches no record in the planned range of ${describePartitions(topics)} (${recordsRead.toLocaleString('en-US')} records read)${after ? `: ${after}` : ''}`,
    { hint: filterHint(filter) },
  );
}
