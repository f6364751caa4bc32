import type { DigestFields } from '../kafka/wire/record-digest.ts';
import type { PlanTopic } from '../plan/plan.ts';

// The digest itself lives in kafka/ so that plan can anchor source records with it too.
export { type DigestFields, recordBytes, recordDigest } from '../kafka/wire/record-digest.ts';

export function digestFieldsOf(topic: Pick<PlanTopic, 'destinationTimestamps'>): DigestFields {
  return topic.destinationTimestamps === 'log-append-time' ? 'all-but-timestamp' : 'all';
}
