/** The tenant filter a plan may carry; every value is compared as UTF-8 bytes. */
export type RecordFilterSpec =
  | { kind: 'key-prefix'; prefix: string }
  | { kind: 'key-regex'; pattern: string }
  | { kind: 'header'; name: string; value: string }
  | { kind: 'json-field'; path: string; value: string };

export function describeFilter(filter: RecordFilterSpec): string {
  switch (filter.kind) {
    case 'key-prefix':
      return `key starts with "${filter.prefix}"`;
    case 'key-regex':
      return `key matches /${filter.pattern}/`;
    case 'header':
      return `header ${filter.name} = "${filter.value}"`;
    case 'json-field':
      return `value.${filter.path} = ${filter.value}`;
  }
}
