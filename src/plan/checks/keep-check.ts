import { KrerouteError } from '../../common/errors.ts';
import type { EventSink } from '../../common/events.ts';
import type { KafkaCluster } from '../../kafka/client/cluster.ts';
import { ACCEPT_LOSS_WAY, DEFAULT_KEEP_MARGIN_MS, type KeepProblem, destinationKeepProblems } from './destination-keep.ts';
import { planKeepFacts } from './keep-facts.ts';
import type { Plan } from '../plan.ts';

export interface KeepCheckOptions {
  /** Accept that the destination deletes copies (retention): warn instead of refusing. Never for purge. */
  acceptLoss?: boolean;
  /** How long copies must stay on the destination beyond now (default DEFAULT_KEEP_MARGIN_MS). */
  marginMs?: number;
  onEvent?: EventSink;
}

/** The keep-check options out of a step's options. */
export function keepChoices(options: { acceptDestinationLoss?: boolean; keepMarginMs?: number }, onEvent?: EventSink): KeepCheckOptions {
  return {
    ...(options.acceptDestinationLoss ? { acceptLoss: true } : {}),
    ...(options.keepMarginMs !== undefined ? { marginMs: options.keepMarginMs } : {}),
    ...(onEvent ? { onEvent } : {}),
  };
}

/**
 * Re-reads the destination's topic configs and sizes (they may have changed since the plan) and
 * refuses with one line when the destination would not keep, or would refuse, the plan's records.
 * copy: before anything is written; verify: before comparing; purge: immediately before
 * DeleteRecords, where no flag makes a loss acceptable.
 */
export async function refuseDestinationLoss(
  plan: Plan,
  source: KafkaCluster,
  destination: KafkaCluster,
  step: 'copy' | 'verify' | 'purge',
  options: KeepCheckOptions = {},
): Promise<void> {
  const facts = await planKeepFacts(plan, source, destination, step === 'copy');
  // copy and verify still have the rest of the job ahead of them (the plan's estimate, twice: copy and verify).
  const marginMs = (options.marginMs ?? DEFAULT_KEEP_MARGIN_MS) + (step === 'purge' ? 0 : 2 * plan.estimate.seconds * 1000);
  const problems = facts.flatMap((f) => destinationKeepProblems(f, { now: Date.now(), marginMs }));
  const refused: KeepProblem[] = [];
  for (const problem of problems) {
    if (problem.kind === 'displaces') options.onEvent?.({ type: 'warning', code: 'DESTINATION_DISPLACED', message: problem.message });
    else if (step !== 'purge' && problem.kind === 'drops' && options.acceptLoss)
      options.onEvent?.({ type: 'warning', code: 'DESTINATION_LOSS_ACCEPTED', message: `accepted (--accept-destination-loss): ${problem.message}` });
    else refused.push(problem);
  }
  const first = refused[0];
  if (!first) return;
  const more =
    refused.length > 1
      ? ` (and ${refused.length - 1} more: ${refused
          .slice(1)
          .map((p) => `${p.topic} ${p.setting}`)
          .join(', ')})`
      : '';
  if (step === 'purge') throw new KrerouteError('PURGE_UNSAFE', `purge refused, nothing deleted: ${first.message}${more}`);
  throw new KrerouteError(
    first.kind === 'drops' ? 'DESTINATION_LOSS' : 'DESTINATION_CHECK',
    `${step} refused${step === 'copy' ? ', nothing written' : ''}: ${first.message}${first.kind === 'drops' ? ACCEPT_LOSS_WAY : ''}${more}`,
  );
}
