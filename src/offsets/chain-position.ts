import { KrerouteError } from '../common/errors.ts';
import { readPlanFile } from '../plan/plan-file.ts';
import type { Plan, PlanTopic } from '../plan/plan.ts';

/**
 * A follow-up plan (`plan --after`) starts where the plan before it ended. A group whose committed
 * source offset lies before that start (or that committed nothing) has records of an earlier plan
 * of the chain still to consume: translated with this plan, it would start at this plan's first
 * copy and skip them (unless the chain's earlier plans hold nothing of that partition). Refused
 * in one line naming the plan whose range holds its position (the chain is walked back through
 * each plan's `after.planFile`, each checked by its hash).
 */
export async function refuseBeforeRange(plan: Plan, topic: PlanTopic, group: string, committed: Map<number, bigint>): Promise<void> {
  if (!plan.after) return;
  const chainStarts = plan.after.chain.find((c) => c.source === topic.source)?.starts;
  for (const planned of topic.partitions) {
    const offset = committed.get(planned.partition);
    if (offset !== undefined && offset >= BigInt(planned.start)) continue;
    // The chain began where this plan begins: its earlier plans hold nothing of this partition to skip.
    const chainStart = chainStarts?.[planned.partition];
    if (chainStart !== undefined && BigInt(chainStart) >= BigInt(planned.start)) continue;
    const where = `${topic.source}[${planned.partition}]`;
    const position = offset === undefined ? 'has no committed offset on' : `has consumed only up to offset ${offset} of`;
    const holder = await planHolding(plan, topic.source, planned.partition, offset ?? null);
    throw new KrerouteError(
      'BAD_INPUT',
      `offsets refused: group ${group} ${position} ${where}, before this follow-up plan's range (from ${planned.start}): ${holder}`,
      { hint: "translate a chain's groups with the plan whose range holds their position; its records would be skipped otherwise" },
    );
  }
}

/** Which plan of the chain before `plan` holds the offset (null: none committed, so the first plan), as the end of a sentence. */
async function planHolding(plan: Plan, source: string, partition: number, offset: bigint | null): Promise<string> {
  let current = plan;
  let file = '';
  while (current.after) {
    file = current.after.planFile;
    const earlier = await readPlanFile(file).catch(() => null);
    if (earlier?.hash !== current.after.planHash) return `give ${file} or a plan before it in the chain`;
    const start = earlier.topics.find((t) => t.source === source)?.partitions.find((p) => p.partition === partition)?.start;
    if (offset !== null && start !== undefined && offset >= BigInt(start)) return `give ${file}, whose range holds it`;
    current = earlier;
  }
  return `give ${file}, the first plan of the chain`;
}
