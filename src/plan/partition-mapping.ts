import { murmur2 } from './murmur2.ts';
import type { PartitionMapping } from './plan.ts';

/**
 * The destination partition of a record. "key-hash" is Kafka's default partitioner for keyed
 * records (murmur2 of the key bytes, positive, modulo the count); a record without a key keeps
 * its source partition number modulo the count, so the mapping is deterministic and resumable.
 */
export function destinationPartitionOf(mapping: PartitionMapping, key: Buffer | null, sourcePartition: number, destinationPartitions: number): number {
  if (mapping === 'same' || key === null) return sourcePartition % destinationPartitions;
  return (murmur2(key) & 0x7fffffff) % destinationPartitions;
}
