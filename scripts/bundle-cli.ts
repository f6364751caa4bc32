// Builds the command line into one JavaScript file with esbuild, for start-up time: Node loads one
// module instead of ~700 (src/ as TypeScript, the Kafka client library, zod, ajv, commander …).
// Usage: node scripts/bundle-cli.ts [OUT_DIR]   (default dist/bin; `npm run build` runs it after tsc)
//
// OUT_DIR/kreroute.mjs  the `kreroute` binary: refuses a Node older than package.json's engines,
//                       runs a long command again with malloc-env.mjs's settings, turns on Node's
//                       compile cache, then imports cli.mjs.
//                       A module's code is compiled before any of it runs, so only a module imported
//                       after enableCompileCache() gets the cache: the bundle itself, not the
//                       launcher. That saves 0.05–0.1 s of compiling the bundle at every start.
// OUT_DIR/cli.mjs       src/cli/main.ts and everything it imports, except @node-rs/crc32 and lz4-napi
//                       (native addons in per-platform packages), which are imported from node_modules.
// OUT_DIR/cli.mjs.map   source map, read only when node runs with --enable-source-maps.
// OUT_DIR/malloc-env.mjs src/cli/malloc-env.ts alone, for the launcher: a long command starts again
//                       (process.execve) before the bundle loads. Loading cli.mjs only to be replaced
//                       cost every copy, plan and verify 0.15 CPU s and 13k page faults; starting again
//                       from the launcher costs 0.04 s and 3.4k (measured with `copy --help`).
//
// The bundle keeps the order of the source: it runs main.ts's `await import('./lazy-validators.ts')`
// (which patches ajv) before the modules of the Kafka client library are initialised.
// src/local/paths.ts finds the package root (kafka/pom.xml, for `demo`) at ../.. from the module
// holding it: keep OUT_DIR two levels below the root (dist/bin, like dist/local of the tsc build).
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plugin, build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export const DEFAULT_OUT_DIR = path.join(root, 'dist', 'bin');

export interface BundleCliOptions {
  /** Folder for kreroute.mjs, cli.mjs and its map (created if missing). Default dist/bin. */
  outDir?: string;
  /** Extra esbuild plugins (tests use one to instrument a dependency). */
  plugins?: Plugin[];
}

export interface BundledCli {
  /** The file to run: `node <launcher> <command> …` (the package's `bin`). */
  launcher: string;
  bundle: string;
  bundleBytes: number;
}

/** The oldest Node kreroute runs on: package.json's `engines.node` (">=MAJOR.MINOR"). */
export async function minimumNode(): Promise<[number, number]> {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const match = /^>=\s*(\d+)\.(\d+)$/.exec(pkg.engines?.node?.trim() ?? '');
  if (!match) throw new Error(`package.json engines.node is "${pkg.engines?.node}": bundle-cli expects ">=MAJOR.MINOR"`);
  return [Number(match[1]), Number(match[2])];
}

/**
 * The `kreroute` binary. Its first lines refuse an older Node with one line, before anything else
 * loads: a static import is resolved before any code runs (on Node 20, node:module has no
 * enableCompileCache, and the import alone fails), so everything comes by dynamic import. Written
 * to parse on any Node that runs ES modules.
 */
export function launcherSource([major, minor]: [number, number]): string {
  return `#!/usr/bin/env node
// kreroute's command line. The code is in cli.mjs (an esbuild bundle of src/cli/main.ts, see
// scripts/bundle-cli.ts); imported after the compile cache is on, its compiled code is cached too.
// A long command first starts again with malloc-env.mjs's settings, before the bundle is loaded.
const found = process.versions.node.split('.').map(Number);
if (found[0] < ${major} || (found[0] === ${major} && found[1] < ${minor})) {
  process.stderr.write('kreroute: Node.js ' + process.versions.node + ' is too old: kreroute needs Node.js ${major}.${minor} or newer (' + process.execPath + ')\\n');
  process.exit(2);
}
const { runWithTunedMalloc } = await import('./malloc-env.mjs');
runWithTunedMalloc();
const { enableCompileCache } = await import('node:module');
enableCompileCache();
await import('./cli.mjs');
`;
}

export async function bundleCli(options: BundleCliOptions = {}): Promise<BundledCli> {
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const bundle = path.join(outDir, 'cli.mjs');
  const launcher = path.join(outDir, 'kreroute.mjs');
  await mkdir(outDir, { recursive: true });
  // One build, each entry bundled on its own: cli.mjs (main.ts and all it imports) and malloc-env.mjs.
  await build({
    absWorkingDir: root,
    entryPoints: { cli: 'src/cli/main.ts', 'malloc-env': 'src/cli/malloc-env.ts' },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // napi addons: their .node binaries come from per-platform optional packages, found at run time.
    external: ['@node-rs/crc32', 'lz4-napi'],
    // The client library's WebAssembly helpers read dist/native.wasm relative to their own module,
    // which a bundle does not have; their `bundled` build carries the same .wasm inline (base64).
    alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
    // CommonJS dependencies (debug, avsc …) require Node built-ins; an ES module has no `require`.
    banner: { js: "import { createRequire as __kreroute_createRequire } from 'node:module';\nconst require = __kreroute_createRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: options.plugins ?? [],
  });
  await writeFile(launcher, launcherSource(await minimumNode()));
  await chmod(launcher, 0o755);
  return { launcher, bundle, bundleBytes: (await stat(bundle)).size };
}

// Run as a script (not imported by the benchmark or a test).
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await bundleCli({ outDir: process.argv[2] ?? DEFAULT_OUT_DIR });
  const rel = (file: string) => path.relative(process.cwd(), file);
  console.log(`bundle-cli: ${rel(built.launcher)} → ${rel(built.bundle)} (${(built.bundleBytes / 1e6).toFixed(1)} MB)`);
}
