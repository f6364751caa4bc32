import type { Command } from 'commander';
import { KrerouteError } from '../../common/errors.ts';
import type { PlanRequest } from '../../plan/create-plan.ts';
import type { Plan } from '../../plan/plan.ts';
import { keepFromFlags, type PlanFlags } from './plan-options.ts';

/** Flags that say what to move: a follow-up plan takes all of that from its predecessor. */
const FROM_PREDECESSOR: Array<[keyof PlanFlags, string]> = [
  ['topic', '--topic'],
  ['topicRegex', '--topic-regex'],
  ['from', '--from'],
  ['to', '--to'],
  ['keyPrefix', '--key-prefix'],
  ['keyRegex', '--key-regex'],
  ['header', '--header'],
  ['jsonField', '--json-field'],
  ['destTopic', '--dest-topic'],
  ['mapping', '--mapping'],
];

/** `plan --after PLAN`: the request of a follow-up plan; a flag that would change what moves is refused. */
export function followUpRequestFromFlags(
  command: Command,
  flags: PlanFlags,
  previous: Plan,
  previousFile: string,
): Omit<PlanRequest, 'source' | 'destination'> {
  const given = FROM_PREDECESSOR.filter(([key]) => command.getOptionValueSource(key) === 'cli').map(([, flag]) => flag);
  if (given.length > 0) {
    throw new KrerouteError('BAD_INPUT', `--after: ${given.join(', ')} cannot be given, the follow-up plan takes them from ${previousFile}`, {
      hint: 'drop them; to move something else, make a new plan without --after',
    });
  }
  return {
    from: { kind: 'earliest' },
    to: { kind: 'latest' },
    after: { plan: previous, planFile: previousFile },
    exact: flags.exact === true,
    createTopics: flags.createTopics === true,
    ...(flags.acceptLogAppendTime ? { acceptLogAppendTime: true } : {}),
    ...keepFromFlags(flags),
  };
}
