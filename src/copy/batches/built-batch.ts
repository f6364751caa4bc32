import { type Codec, codecOf, compressBatch } from '../../kafka/wire/batch/batch-compression.ts';
import type { PlanTopic } from '../../plan/plan.ts';

/**
 * The codec for a batch the copy builds: the destination topic's when its compression.type names
 * one (the broker would recompress anything else), else the one asked for (--compression), else
 * that of the source batches the records came from (`sourceCompression`: their attribute bits).
 */
export function codecFor(topic: PlanTopic, requested: Codec | undefined, sourceCompression: number): Codec {
  return topic.destinationCompression ?? requested ?? codecOf(sourceCompression);
}

/**
 * A built (uncompressed) batch as it is written: compressed with `codec`, unless its records do not
 * compress at all; then framing would only add bytes, and could push it past the destination's
 * max.message.bytes that the uncompressed batch was cut to fit.
 */
export function builtBatch(plain: Buffer, codec: Codec): { bytes: Buffer; codec: Codec } {
  if (codec === 'none') return { bytes: plain, codec };
  const bytes = compressBatch(plain, codec);
  return bytes.length < plain.length ? { bytes, codec } : { bytes: plain, codec: 'none' };
}
