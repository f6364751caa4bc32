import { KrerouteError } from '../common/errors.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import { KafkaCluster } from '../kafka/client/cluster.ts';
import type { Plan } from './plan.ts';

/** Connects to one side of a plan and refuses a cluster other than the one the plan was made for. */
export async function openPlanCluster(plan: Plan, side: 'source' | 'destination', settings: ClientSettings): Promise<KafkaCluster> {
  const cluster = new KafkaCluster(settings, side);
  try {
    const id = await cluster.clusterId();
    if (id !== plan[side].clusterId) {
      throw new KrerouteError('PLAN_MISMATCH', `the ${side} ${cluster.label} is cluster ${id}, the plan was made for cluster ${plan[side].clusterId}`, {
        hint: `point --${side === 'source' ? 'source' : 'destination'} at the cluster of the plan (${plan[side].bootstrap})`,
      });
    }
    return cluster;
  } catch (error) {
    await cluster.close();
    throw error;
  }
}

/** Runs work with both clusters of a plan open, closing them afterwards. */
export async function withPlanClusters<T>(
  plan: Plan,
  source: ClientSettings,
  destination: ClientSettings,
  work: (source: KafkaCluster, destination: KafkaCluster) => Promise<T>,
): Promise<T> {
  const sourceCluster = await openPlanCluster(plan, 'source', source);
  let destinationCluster: KafkaCluster;
  try {
    destinationCluster = await openPlanCluster(plan, 'destination', destination);
  } catch (error) {
    await sourceCluster.close();
    throw error;
  }
  try {
    return await work(sourceCluster, destinationCluster);
  } finally {
    await Promise.all([sourceCluster.close(), destinationCluster.close()]);
  }
}
