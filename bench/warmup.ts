import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BenchCluster } from './clusters.ts';

const run = promisify(execFile);
const TOPIC = 'bench-warmup';
const TIMEOUT_MS = 120_000;

/**
 * First use of transactions or consumer groups makes a broker create __transaction_state or
 * __consumer_offsets (50 partitions each): tens of CPU seconds a real copy never pays, and which
 * would land on whichever tool comes first. So before any measurement, on each broker: one
 * transactional write and one consumer-group read (with kcat).
 */
export async function warmUpBrokers(clusters: BenchCluster[]): Promise<void> {
  await Promise.all(
    clusters.map(async ({ topics }) => {
      await topics.create(TOPIC, 1, {});
      // -m: how long kcat waits for metadata and transaction set-up, which here means the internal topic's creation.
      const common = ['-b', topics.bootstrap, '-q', '-m', '60'];
      await retry(() => runWithInput('kcat', ['-P', ...common, '-t', TOPIC, '-X', 'transactional.id=bench-warmup'], 'warm-up\n'));
      await retry(() => run('kcat', ['-C', ...common, '-G', 'bench-warmup', '-o', 'beginning', '-e', TOPIC], { timeout: TIMEOUT_MS }));
      await topics.delete([TOPIC]);
    }),
  );
}

/** The coordinator may answer "not coordinator" while its topic is being created: try again. */
async function retry<T>(work: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

function runWithInput(command: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: TIMEOUT_MS }, (error) => (error ? reject(error) : resolve()));
    child.stdin?.end(input);
  });
}
