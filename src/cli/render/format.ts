const COUNT = new Intl.NumberFormat('en-US');

export function count(n: number | bigint | string): string {
  return COUNT.format(typeof n === 'string' ? BigInt(n) : n);
}

export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 90) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function rate(perSecond: number, unit: string): string {
  return `${count(Math.round(perSecond))} ${unit}/s`;
}

/** A Kafka timestamp (decimal ms) as ISO 8601 UTC, or as given when it is not a valid time. */
export function timestamp(ms: string | null): string {
  if (ms === null) return '-';
  const n = Number(ms);
  if (!Number.isFinite(n) || n < 0) return ms;
  const date = new Date(n);
  return Number.isNaN(date.getTime()) ? ms : date.toISOString();
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** Left-aligned columns, two spaces apart. */
export function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
