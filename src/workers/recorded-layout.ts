import type { EventSink } from '../common/events.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import { openPlanCluster } from '../plan/plan-clusters.ts';
import type { Plan } from '../plan/plan.ts';
import { type JobState, readJobState } from '../shard/job-state.ts';

export type RecordedLayout = JobState['layout'];

/**
 * How the plan's copy was begun, on any machine: the checkpoints on the destination (and in this
 * state folder) say whole or N shards. Refuses a plan copied in two layouts (CHECKPOINT_MISMATCH).
 */
export async function recordedLayout(
  plan: Plan,
  options: { destination: ClientSettings; stateDir: string; checkpointTopic?: string | undefined; onEvent: EventSink },
): Promise<RecordedLayout> {
  const destination = await openPlanCluster(plan, 'destination', options.destination);
  try {
    const state = await readJobState(plan, destination, {
      stateDir: options.stateDir,
      ...(options.checkpointTopic ? { checkpointTopic: options.checkpointTopic } : {}),
      onWait: (message) => options.onEvent({ type: 'retry', message }),
    });
    return state.layout;
  } finally {
    await destination.close();
  }
}
