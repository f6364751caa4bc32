import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyPlan } from '../../src/index.ts';
import { BATCH } from '../../src/kafka/wire/batch/batch-header.ts';
import { uniqueName } from '../support/clusters.ts';
import { plan, sides, stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';
import { kcatTopic } from '../support/faults/oracle.ts';

/** The folder of a partition's log on a local test broker, if this machine runs it. */
async function partitionDir(topic: string, partition: number): Promise<string | undefined> {
  for (const entry of await readdir(tmpdir(), { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith('kreroute-')) continue;
    const candidate = join(tmpdir(), entry.name, `${topic}-${partition}`);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const CASES = [
  // 150 KB batches are forwarded whole with their CRC updated: the destination broker refuses it.
  { what: 'a forwarded batch', valueBytes: 3_000, expect: 'the destination refuses it', message: /destination refused a batch as corrupt/ },
  // 3 KB batches are joined, which takes them apart: kreroute checks their CRC first.
  { what: 'a batch to be joined', valueBytes: 50, expect: 'kreroute refuses it', message: /offset 0 does not match its CRC/ },
];

/** Flips one bit of a value in the index-th batch of a segment file (batches of 50 records each). */
async function damageBatch(dir: string, index: number): Promise<void> {
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

for (const { what, valueBytes, expect, message } of CASES) {
  test(`${what}, damaged on the source's disk: ${expect} (SOURCE_CORRUPT); it is not stored under a fresh CRC`, async (t) => {
    const { sourceBootstrap, destinationBootstrap, source, destination } = sides();
    const topic = uniqueName('corrupt-source');
    await createTopic(sourceBootstrap, topic, 1);
    await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 150 }, (_, i) => record(`k${i}`, `value ${i} `.padEnd(valueBytes, '.')))]]), 50);
    const dir = await partitionDir(topic, 0);
    if (!dir) {
      t.skip('the source broker is not a local test broker: its log files cannot be damaged from here');
      return;
    }
    // Damaged after the plan: plan reads the first record of the range in place and would refuse the batch itself.
    const p = await plan({ topics: [topic], from: { kind: 'earliest' }, to: { kind: 'latest' }, createTopics: true });
    await damageBatch(dir, 0);
    await assert.rejects(copyPlan(p, { source, destination, stateDir: await stateDir('corrupt-source') }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SOURCE_CORRUPT', error.message);
      assert.match(error.message, message);
      return true;
    });
    // The aborted transaction may leave a marker behind; no record of the damaged batch is there.
    const copied = (await kcatTopic(destinationBootstrap, topic, 1)).get(0) ?? [];
    assert.equal(copied.filter((value) => / ([0-9]|[1-4][0-9]) /.test(`${value}`)).length, 0, 'nothing of the damaged batch reached the destination');
  });
}
