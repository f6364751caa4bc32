import { existsSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH } from '../../src/kafka/wire/batch/batch-header.ts';

/** Damage done to a local test broker's log files, as a failing disk would. */

/** The folder of a partition's log on a local test broker, if this machine runs it. */
export async function partitionDir(topic: string, partition: number): Promise<string | undefined> {
  for (const entry of await readdir(tmpdir(), { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith('kreroute-')) continue;
    const candidate = join(tmpdir(), entry.name, `${topic}-${partition}`);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Flips one bit of a value in the index-th batch of a segment file (batches of 50 records each). */
export async function damageBatch(dir: string, index: number): Promise<void> {
  const segment = await open(join(dir, '00000000000000000000.log'), 'r+');
  try {
    let start = 0;
    const length = Buffer.alloc(4);
    for (let i = 0; i < index; i++) {
      await segment.read(length, 0, 4, start + 8);
      start += 12 + length.readInt32BE(0);
    }
    const at = start + BATCH.records + 40;
    const byte = Buffer.alloc(1);
    await segment.read(byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0x01;
    await segment.write(byte, 0, 1, at);
    await segment.sync();
  } finally {
    await segment.close();
  }
}
