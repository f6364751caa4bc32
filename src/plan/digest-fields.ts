import type { DigestFields } from '../kafka/wire/record-digest.ts';
import type { PlanTopic } from './plan.ts';

/** What the digests of a topic cover: a destination that stamps append times cannot keep the original timestamp. */
export function digestFieldsOf(topic: Pick<PlanTopic, 'destinationTimestamps'>): DigestFields {
  return topic.destinationTimestamps === 'log-append-time' ? 'all-but-timestamp' : 'all';
}
