// The scale test: `npm run bench:scale -- [options]`, as root. See docs/scale.md.
// Workers on simulated link-bound machines: one network namespace per worker, joined to the
// brokers' namespace by a veth pair capped with tc. This process sets the network up, runs
// inside.ts in the brokers' namespace, and removes the namespaces and the brokers' data on every
// exit: normal, failure, timeout, SIGINT/SIGTERM (after a SIGKILL, the next run removes the
// namespaces it left; the brokers and workers die with it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from '../../scripts/bundle-cli.ts';
import type { InsideConfig } from './inside.ts';
import { networkLayout, setUpNetwork, tearDownNetwork } from './network.ts';
import { USAGE, parseScaleOptions } from './options.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const log = (line: string) => process.stderr.write(`[scale] ${line}\n`);

function requireTools(): void {
  if (process.getuid?.() !== 0) throw new Error('run as root: the scale test creates network namespaces, veth pairs and tc qdiscs');
  for (const [tool, args] of [
    ['ip', ['-V']],
    ['tc', ['-V']],
    ['kcat', ['-V']],
  ] as const) {
    if (spawnSync(tool, [...args]).error) throw new Error(`${tool} is not installed`);
  }
}

async function main(): Promise<number> {
  const options = parseScaleOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  requireTools();
  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d+Z$/, 'Z');
  const resultsDir = path.join(repoRoot, 'bench', 'results', `scale-${stamp}`);
  await mkdir(resultsDir, { recursive: true });
  const built = await bundleCli({ outDir: path.join(resultsDir, 'cli') });
  if (spawnSync(process.execPath, [built.launcher, '--version']).status !== 0) throw new Error('the CLI bundle does not start');

  const network = networkLayout(Math.max(...options.workers), options.rateMbit);
  let inner: ReturnType<typeof spawn> | undefined;
  let cleaned = false;
  const cleanUp = () => {
    if (cleaned) return;
    cleaned = true;
    if (inner && inner.exitCode === null) inner.kill('SIGKILL');
    for (const problem of tearDownNetwork(network)) log(`cleanup: ${problem}`);
    for (const entry of ['data-source', 'data-destination']) rmSync(path.join(resultsDir, entry), { recursive: true, force: true });
  };
  process.on('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping, removing the namespaces`);
      inner?.kill('SIGTERM');
      setTimeout(() => process.exit(130), 3_000).unref();
    });
  }

  try {
    log(
      `network: ${network.brokersNs} (bridge ${network.brokersHost}) and ${network.workers.map((w) => `${w.ns} ${w.ip}`).join(', ')}; ${options.rateMbit} Mbit/s per worker link, each direction`,
    );
    setUpNetwork(network);
    const config: InsideConfig = {
      options,
      network,
      launcher: built.launcher,
      resultsDir,
      command: `npm run bench:scale -- ${process.argv.slice(2).join(' ')}`.trim(),
      repoRoot,
    };
    const configFile = path.join(resultsDir, 'config.json');
    await writeFile(configFile, JSON.stringify(config, null, 2));
    // setpriv --pdeathsig: the inner process (and with it the brokers and workers) dies with this one, even on SIGKILL.
    const innerArgv = ['ip', 'netns', 'exec', network.brokersNs, process.execPath, path.join(here, 'inside.ts'), configFile];
    const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
    inner = setpriv
      ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', ...innerArgv], { stdio: 'inherit' })
      : spawn(innerArgv[0]!, innerArgv.slice(1), { stdio: 'inherit' });
    const timer = setTimeout(() => {
      log(`the whole run took over ${options.totalTimeoutMs / 60_000} min: stopping it`);
      inner?.kill('SIGTERM');
      setTimeout(() => inner?.kill('SIGKILL'), 30_000).unref();
    }, options.totalTimeoutMs);
    const code = await new Promise<number>((resolve) => inner!.once('close', (c, s) => resolve(c ?? (s ? 128 : 1))));
    clearTimeout(timer);
    return code;
  } finally {
    cleanUp();
    const left = (await readdir(resultsDir)).filter((e) => e.startsWith('data-'));
    if (left.length > 0) log(`could not remove ${left.join(', ')} in ${resultsDir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
