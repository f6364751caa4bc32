/** Producer sequence numbers are int32 and wrap from 2^31 - 1 to 0 (Kafka's DefaultRecordBatch.incrementSequence). */
export const SEQUENCE_MODULUS = 0x80000000;

export function nextSequence(sequence: number, recordCount: number): number {
  return (sequence + recordCount) % SEQUENCE_MODULUS;
}

/**
 * Orders two sequence numbers of one partition across the wrap: the one fewer than 2^30 steps
 * ahead counts as later. At most five batches are ever in flight, so the distance between two
 * compared sequences is far below that.
 */
export function compareSequences(a: number, b: number): number {
  const ahead = (a - b + SEQUENCE_MODULUS) % SEQUENCE_MODULUS;
  if (ahead === 0) return 0;
  return ahead < SEQUENCE_MODULUS / 2 ? 1 : -1;
}
