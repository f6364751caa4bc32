import { join } from 'node:path';
import type { ShardRef } from './shard-layout.ts';

/** A shard's own local state folder inside the plan's: shards on one machine never share a lock or a checkpoint file. */
export function shardStateDir(stateDir: string, shard: ShardRef): string {
  return join(stateDir, `shard-${shard.index}-of-${shard.count}`);
}
