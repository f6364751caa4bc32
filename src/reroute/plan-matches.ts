import type { PlanRequest } from '../plan/create-plan.ts';
import { describeFilter } from '../plan/filter/filter-spec.ts';
import type { Plan } from '../plan/plan.ts';

/**
 * How a reused plan differs from the request given now. Only what the plan records unambiguously
 * is compared: the filter, the mapping, the topics and a renamed destination topic.
 */
export function planDifferences(plan: Plan, request: Omit<PlanRequest, 'onEvent'>): string[] {
  const differences: string[] = [];
  const describe = (filter: Plan['filter'] | undefined) => (filter ? describeFilter(filter) : 'no filter');
  if (JSON.stringify(plan.filter ?? null) !== JSON.stringify(request.filter ?? null)) {
    differences.push(`filter: the plan has ${describe(plan.filter)}, the flags say ${describe(request.filter)}`);
  }
  const mapping = request.mapping ?? 'same';
  if (plan.mapping !== mapping) differences.push(`mapping: the plan has ${plan.mapping}, the flags say ${mapping}`);
  if (request.topics) {
    const asked = new Set(request.topics);
    const extra = plan.topics.map((t) => t.source).filter((t) => !asked.has(t));
    if (extra.length > 0) differences.push(`topics: the plan also moves ${extra.join(', ')}`);
  }
  if (request.destinationTopic !== undefined && plan.topics.some((t) => t.destination !== request.destinationTopic)) {
    differences.push(`destination topic: the flags say ${request.destinationTopic}, the plan writes to ${plan.topics.map((t) => t.destination).join(', ')}`);
  }
  return differences;
}
