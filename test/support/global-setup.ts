// For `node --test --test-global-setup=test/support/global-setup.ts`. Both hooks run in the test
// runner's own process, and the test files' processes inherit the env vars set here.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureKafkaJars } from '../../src/local/kafka-jars.ts';
import { startLocalCluster, type LocalCluster } from '../../src/local/local-cluster.ts';
import { repoRoot } from '../../src/local/paths.ts';

const log = (line: string) => process.stderr.write(`[test clusters] ${line}\n`);
let started: LocalCluster[] = [];
let dataDirs: string[] = [];
let testTmpDir: string | undefined;

export async function globalSetup(): Promise<void> {
  // The tests' state folders and files go to one folder of this run (TMPDIR, read by os.tmpdir()),
  // removed at the end; the brokers' logs are kept elsewhere (.cache/broker-logs).
  testTmpDir = await mkdtemp(path.join(os.tmpdir(), 'kreroute-test-run-'));
  // The checkout's jars (bootstrap.sh), also when the tests run without scripts/env.sh.
  process.env['KREROUTE_CACHE_DIR'] ??= path.join(repoRoot, '.cache');
  process.env['TMPDIR'] = testTmpDir;
  const source = process.env['KREROUTE_TEST_SOURCE_BOOTSTRAP'];
  const destination = process.env['KREROUTE_TEST_DEST_BOOTSTRAP'];
  if (source && destination) {
    log(`using existing clusters: source ${source}, destination ${destination}`);
    return;
  }
  if (source || destination) {
    throw new Error('set both KREROUTE_TEST_SOURCE_BOOTSTRAP and KREROUTE_TEST_DEST_BOOTSTRAP, or neither');
  }

  const libsDir = await ensureKafkaJars({ log });
  const t0 = Date.now();
  const names = ['source', 'destination'];
  dataDirs = await Promise.all(names.map((n) => mkdtemp(path.join(os.tmpdir(), `kreroute-test-${n}-`))));
  const results = await Promise.allSettled(names.map((name, i) => startLocalCluster({ name, libsDir, dataDir: dataDirs[i] })));
  started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await globalTeardown();
    throw failed.reason;
  }
  const [src, dst] = started as [LocalCluster, LocalCluster];
  process.env['KREROUTE_TEST_SOURCE_BOOTSTRAP'] = src.bootstrap;
  process.env['KREROUTE_TEST_DEST_BOOTSTRAP'] = dst.bootstrap;
  process.env['KREROUTE_TEST_SOURCE_LOG'] = src.logFile;
  process.env['KREROUTE_TEST_DEST_LOG'] = dst.logFile;
  log(`started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const c of started) log(`${c.name}: ${c.bootstrap} (log: ${c.logFile})`);
}

export async function globalTeardown(): Promise<void> {
  const clusters = started;
  started = [];
  await Promise.all(clusters.map((c) => c.stop()));
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dataDirs = [];
  if (testTmpDir) await rm(testTmpDir, { recursive: true, force: true });
  testTmpDir = undefined;
  if (clusters.length > 0) log('stopped (logs kept)');
}
