// Prints where a V8 CPU profile (node --cpu-prof) spent its time: self time per function, and per file.
// Code of the CLI bundle (scripts/bundle-cli.ts) is traced back to its source file through the
// bundle's source map (cli.mjs.map beside it).
// Usage: node bench/cpu-profile-top.ts FILE.cpuprofile [N]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/cpu-profile-top.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) => url.replace(/^file:\/\/.*?\/(src|node_modules|bench)\//, '$1/').replace(/^node:/, 'node:');
const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
const functions = new Map<string, number>();
const files = new Map<string, number>();
const sourceMaps = new Map<string, { map: SourceMap; url: string } | null>();
/** The source map beside a bundled file (FILE.map), or null. */
function sourceMapOf(url: string): { map: SourceMap; url: string } | null {
  if (!sourceMaps.has(url)) {
    const mapFile = url.startsWith('file:') ? `${fileURLToPath(url)}.map` : '';
    const found =
      mapFile !== '' && existsSync(mapFile) ? { map: new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))), url: pathToFileURL(mapFile).href } : null;
    sourceMaps.set(url, found);
  }
  return sourceMaps.get(url)!;
}
/** Where a frame's function is in the source: through a source map when its file has one. */
function original(frame: CallFrame): { url: string; line: number } {
  const sourceMap = frame.url ? sourceMapOf(frame.url) : null;
  const entry = sourceMap?.map.findEntry(frame.lineNumber, frame.columnNumber);
  if (sourceMap && entry && 'originalSource' in entry) return { url: new URL(entry.originalSource, sourceMap.url).href, line: entry.originalLine };
  return { url: frame.url, line: frame.lineNumber };
}
for (const [id, ms] of selfMs) {
  const frame = byId.get(id)!.callFrame;
  const source = original(frame);
  const where = source.url ? shortUrl(source.url) : '(native)';
  add(functions, `${frame.functionName || '(anonymous)'}  ${where}:${source.line + 1}`, ms);
  add(files, source.url ? fileGroup(where) : frame.functionName || '(native)', ms);
}
/** A file under src/ or bench/ as itself; anything in node_modules as its package. */
function fileGroup(where: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1];
  return pkg ? `node_modules/${pkg}` : where;
}

const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(2)} s sampled)`);
  for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${(ms / 1000).toFixed(2).padStart(6)} s  ${name}`);
  }
};
print('self time by function', functions);
print('self time by file (node_modules by package folder)', files);
