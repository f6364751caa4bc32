// Preloaded into a kreroute step by `npm run bench:memory -- --trace` (node --import): every second
// one JSON line with /proc/self/status's memory fields, process.memoryUsage() and V8's heap spaces, and
// /proc/self/smaps copies a few seconds in and at exit, into files named by KREROUTE_MEMORY_TRACE.
// Bench-only: nothing of it is in the product.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const prefix = process.env['KREROUTE_MEMORY_TRACE'];
const STATUS_FIELDS = ['VmRSS', 'VmHWM', 'RssAnon', 'RssFile', 'RssShmem'];
const started = performance.now();

function statusKb(): Record<string, number> {
  const text = readFileSync('/proc/self/status', 'utf8');
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [name, value] = line.split(':');
    if (name && STATUS_FIELDS.includes(name)) out[name] = Number.parseInt(value ?? '', 10);
  }
  return out;
}

function sample(): void {
  const u = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1e5) / 10;
  const line = {
    t: Math.round(performance.now() - started) / 1000,
    ...statusKb(),
    rss: mb(u.rss),
    heapTotal: mb(u.heapTotal),
    heapUsed: mb(u.heapUsed),
    external: mb(u.external),
    arrayBuffers: mb(u.arrayBuffers),
    // V8's spaces (new, old, code, large object, …): which one a growing heapTotal is.
    spaces: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, mb(space.space_size)])),
  };
  appendFileSync(`${prefix}.samples.jsonl`, `${JSON.stringify(line)}\n`);
}

function snapshot(name: string): void {
  try {
    // Read and written, not copied: the kernel's file copy gives nothing for /proc files.
    writeFileSync(`${prefix}.smaps-${name}`, readFileSync('/proc/self/smaps'));
  } catch {
    // a trace is best effort
  }
}

// The first image of a long command is replaced at once (src/cli/malloc-env.ts re-executes it with
// glibc's settings): the timers below only ever run in the process that does the work.
if (prefix) {
  setInterval(sample, 1000).unref();
  setTimeout(() => snapshot('start'), 3000).unref();
  process.on('exit', () => {
    sample();
    snapshot('end');
  });
}
