import { type BenchCluster, brokerCpuSeconds } from './clusters.ts';
import { machineBusySeconds } from './proc.ts';
import { sleep } from './topics.ts';

const WINDOW_MS = 2_000;

/** CPU cores a sampler used on average over one window. */
async function coresUsed(sample: () => Promise<number>): Promise<number> {
  const before = await sample();
  await sleep(WINDOW_MS);
  return ((await sample()) - before) / (WINDOW_MS / 1000);
}

/**
 * Waits (bounded) until both brokers are nearly idle. After a load or a topic deletion a broker
 * keeps working for a while; a run that starts then would pay for it. Returns whether they settled.
 */
export async function waitForIdleBrokers(clusters: BenchCluster[], maxCores = 0.15, timeoutMs = 90_000): Promise<boolean> {
  const brokers = async () => (await Promise.all(clusters.map(brokerCpuSeconds))).reduce((a, b) => a + b, 0);
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) if ((await coresUsed(brokers)) < maxCores) return true;
  return false;
}

/** Waits (bounded) until the whole machine is nearly idle: for runs on a machine others use too. */
export async function waitForQuietMachine(maxCores: number, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) if ((await coresUsed(machineBusySeconds)) < maxCores) return true;
  return false;
}
