import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { readPlanFile } from '../../src/plan/plan-file.ts';
import type { PurgeReport } from '../../src/purge/purge-plan.ts';
import { readRange } from '../../src/kafka/fetch/range-reader.ts';
import { runKreroute } from '../support/cli-run.ts';
import { uniqueName } from '../support/clusters.ts';
import { sides, stateDir } from '../support/engine.ts';
import { checkedJsonLines } from '../support/json-output.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Every key on the destination topic, in every partition. */
async function destinationKeys(topic: string): Promise<string[]> {
  const c = cluster(sides().destinationBootstrap);
  try {
    const keys: string[] = [];
    for (const listed of await c.listOffsets(topic, [0, 1], { kind: 'latest' })) {
      for await (const chunk of readRange(c, topic, listed.partition, 0n, listed.offset)) keys.push(...chunk.records.map((r) => r.key!.toString()));
    }
    return keys.sort();
  } finally {
    await c.close();
  }
}

/**
 * Writes a few records of tenant-b (and, unless onlyTenant, of tenant-a) to both partitions every 300 ms
 * until stopped; returns tenant-b's keys.
 */
function keepWriting(topic: string, onlyTenant = false): { stop: () => Promise<string[]> } {
  const written: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let round = 0; running; round++) {
      const batch = (tenant: string, count: number) => (p: number) =>
        Array.from({ length: count }, (_, i) => record(`${tenant}:${round}:${p}-${i}`, `v${round}`, { headers: [['tenant', tenant]] }));
      const b = batch('tenant-b', 3);
      const a = batch('tenant-a', onlyTenant ? 0 : 2);
      await produce(sides().sourceBootstrap, topic, new Map([0, 1].map((p) => [p, [...b(p), ...a(p)]])));
      written.push(...[0, 1].flatMap((p) => b(p).map((r) => r.key!.toString())));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return written;
    },
  };
}

test('reroute --follow moves what a producer keeps writing, exactly once, and ends by itself once quiet', { timeout: 120_000 }, async (t) => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('follow');
  await createTopic(sourceBootstrap, topic, 2);
  const producer = keepWriting(topic);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const dir = await stateDir('follow');
  const planFile = join(dir, 'b.plan.json');
  const args = ['reroute', '--source', sourceBootstrap, '--destination', destinationBootstrap, '--topic', topic, '--header', 'tenant=tenant-b'];
  const follow = [...args, '--create-topics', '--out', planFile, '--follow', '--quiet-for', '5s', '--json'];
  const running = runKreroute(follow, 110_000);
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  const written = await producer.stop();
  const run = await running;
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.ms < 100_000, `the job took ${run.ms} ms`);
  const verified = checkedJsonLines(run.stdout).filter((l) => l['kind'] === 'reroute-stage' && l['stage'] === 'verify' && l['status'] === 'done');
  assert.ok(verified.length >= 2, `${verified.length} plans verified: the producer's late writes needed follow-up plans`);
  assert.ok(existsSync(join(dir, 'b.plan.2.json')));
  t.diagnostic(`${written.length} tenant-b records written, ${verified.length} plans verified, the job took ${run.ms} ms`);
  assert.deepEqual(await destinationKeys(topic), written.sort());

  // The same command again: every plan of the chain is finished, nothing more arrived, so it ends at once.
  const again = await runKreroute(follow, 60_000);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(!existsSync(join(dir, `b.plan.${verified.length + 1}.json`)));
  assert.deepEqual(await destinationKeys(topic), written.sort());
});

test('reroute --follow killed in the middle: the same command again continues, and every record arrives once', { timeout: 150_000 }, async (t) => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('follow-kill');
  await createTopic(sourceBootstrap, topic, 2);
  const producer = keepWriting(topic);
  const dir = await stateDir('follow-kill');
  const planFile = join(dir, 'b.plan.json');
  const follow = ['reroute', '--source', sourceBootstrap, '--destination', destinationBootstrap, '--topic', topic, '--header', 'tenant=tenant-b'];
  follow.push('--create-topics', '--out', planFile, '--follow', '--quiet-for', '5s');
  const child = spawn(process.execPath, [MAIN, ...follow], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Killed once the loop is at its second plan (bounded: at most 60 s).
  for (let waited = 0; !existsSync(join(dir, 'b.plan.2.json')) && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(join(dir, 'b.plan.2.json')), 'the loop made a follow-up plan within 60 s');
  child.kill('SIGKILL');
  await exited;
  const written = await producer.stop();
  const again = await runKreroute(follow, 100_000);
  assert.equal(again.code, 0, again.stderr);
  t.diagnostic(`${written.length} tenant-b records written; after the kill the same command ended in ${again.ms} ms`);
  assert.deepEqual(await destinationKeys(topic), written.sort());
});

test('reroute --follow --purge: every plan of the chain is verified and purged, every record arrives once', { timeout: 150_000 }, async (t) => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName('follow-purge');
  await createTopic(sourceBootstrap, topic, 2);
  // Only the tenant's records: purge deletes below an offset, so it is allowed only for a range of them alone.
  const producer = keepWriting(topic, true);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const dir = await stateDir('follow-purge');
  const planFile = join(dir, 'b.plan.json');
  const follow = ['reroute', '--source', sourceBootstrap, '--destination', destinationBootstrap, '--topic', topic, '--header', 'tenant=tenant-b'];
  follow.push('--create-topics', '--out', planFile, '--follow', '--quiet-for', '5s', '--purge', '--json');
  const running = runKreroute(follow, 130_000);
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  const written = await producer.stop();
  const run = await running;
  assert.equal(run.code, 0, run.stderr);
  const lines = checkedJsonLines(run.stdout).filter((l) => l['kind'] === 'reroute-stage' && l['status'] === 'done');
  const verified = lines.filter((l) => l['stage'] === 'verify').length;
  const purged = lines.filter((l) => l['stage'] === 'purge').length;
  assert.ok(verified >= 2, `${verified} plans verified: the producer's late writes needed follow-up plans`);
  assert.equal(purged, verified, 'each verified plan of the chain was purged');
  const files = [planFile, ...Array.from({ length: verified - 1 }, (_, i) => join(dir, `b.plan.${i + 2}.json`))];
  assert.ok(!existsSync(join(dir, `b.plan.${verified + 1}.json`)));
  // Each plan's purge deleted its own range: the log start moved to that plan's end, partition by partition.
  for (const line of lines.filter((l) => l['stage'] === 'purge')) {
    const planned = await readPlanFile(String(line['planFile']));
    const report = line['report'] as PurgeReport;
    assert.deepEqual(
      report.partitions.map((p) => [p.partition, p.logStartAfter]),
      planned.topics[0]!.partitions.map((p) => [p.partition, p.end]),
      `purge of ${String(line['planFile'])}`,
    );
  }
  assert.deepEqual(
    lines.filter((l) => l['stage'] === 'purge').map((l) => l['planFile']),
    files,
  );
  const last = await readPlanFile(files.at(-1)!);
  const source = cluster(sourceBootstrap);
  try {
    const starts = new Map((await source.listOffsets(topic, [0, 1], { kind: 'earliest' })).map((l) => [l.partition, l.offset]));
    // The last plan's purge moved each partition's log start to its end (the earlier plans end where the next starts).
    for (const p of last.topics[0]!.partitions) assert.equal(starts.get(p.partition), BigInt(p.end), `log start of partition ${p.partition}`);
    for (let i = 1; i < files.length; i++) {
      const [before, after] = [await readPlanFile(files[i - 1]!), await readPlanFile(files[i]!)];
      assert.deepEqual(
        after.topics[0]!.partitions.map((p) => p.start),
        before.topics[0]!.partitions.map((p) => p.end),
      );
    }
  } finally {
    await source.close();
  }
  t.diagnostic(`${written.length} tenant-b records written, ${verified} plans verified and ${purged} purged in ${run.ms} ms`);
  assert.deepEqual(await destinationKeys(topic), written.sort());
});
