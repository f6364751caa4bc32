import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyPlan, createPlan, verifyPlan, type Plan, type PlanRequest } from '../../src/index.ts';
import { getTestClusters } from './clusters.ts';

/** The two test clusters as engine settings, plus shortcuts for plan → copy → verify. */
export function sides() {
  const { source, destination } = getTestClusters();
  return { source: { bootstrap: [source] }, destination: { bootstrap: [destination] }, sourceBootstrap: source, destinationBootstrap: destination };
}

export async function stateDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `kreroute-${prefix}-`));
}

export async function plan(request: Omit<PlanRequest, 'source' | 'destination'>): Promise<Plan> {
  const { source, destination } = sides();
  return createPlan({ source, destination, ...request });
}

export async function copyAndVerify(p: Plan, dir: string) {
  const { source, destination } = sides();
  const copied = await copyPlan(p, { source, destination, stateDir: dir });
  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  return { copied, report };
}
