import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { KrerouteError } from '../../src/common/errors.ts';
import { jobFilePath } from '../../src/reroute/job-file.ts';
import { type RerouteRequest, reroute } from '../../src/reroute/reroute.ts';
import { uniqueName } from '../support/clusters.ts';
import { sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

/** A topic holding only tenant-b's records, so a reroute may purge it. */
async function soloTopic(prefix: string, perPartition = 30): Promise<string> {
  const { sourceBootstrap } = sides();
  const topic = uniqueName(prefix);
  await createTopic(sourceBootstrap, topic, 2);
  const records = (p: number) => Array.from({ length: perPartition }, (_, i) => record(`tenant-b:${p}-${i}`, `v${i}`, { headers: [['tenant', 'tenant-b']] }));
  await produce(
    sourceBootstrap,
    topic,
    new Map([
      [0, records(0)],
      [1, records(1)],
    ]),
  );
  return topic;
}

async function request(topic: string, extra: Partial<RerouteRequest> = {}): Promise<RerouteRequest> {
  const { source, destination } = sides();
  const dir = await stateDir('reroute');
  return {
    planFile: join(dir, 'plan.json'),
    plan: {
      source,
      destination,
      topics: [topic],
      from: { kind: 'earliest' },
      to: { kind: 'latest' },
      filter: { kind: 'header', name: 'tenant', value: 'tenant-b' },
      createTopics: true,
      exact: true,
    },
    purge: true,
    ...extra,
  };
}

async function logStart(topic: string, partitions: number[]): Promise<bigint[]> {
  const c = cluster(sides().sourceBootstrap);
  try {
    return (await c.listOffsets(topic, partitions, { kind: 'earliest' })).map((l) => l.offset);
  } finally {
    await c.close();
  }
}

test('reroute runs every stage, then a second run skips them all and reuses the plan', async () => {
  const topic = await soloTopic('reroute-all');
  const req = await request(topic);
  const first = await reroute(req);
  assert.deepEqual(
    first.outcomes.map((o) => `${o.stage}:${o.status}`),
    ['plan:done', 'copy:done', 'verify:done', 'purge:done'],
  );
  const copy = first.outcomes.find((o) => o.stage === 'copy' && o.status === 'done');
  assert.equal(copy?.stage === 'copy' && copy.status === 'done' ? copy.summary.records : -1, 60);
  assert.deepEqual(await logStart(topic, [0, 1]), [30n, 30n]);
  const job = JSON.parse(await readFile(jobFilePath(first.stateDir), 'utf8'));
  assert.deepEqual(Object.keys(job.stages), ['plan', 'copy', 'verify', 'purge']);
  assert.equal(job.planHash, first.plan.hash);

  const events: string[] = [];
  const second = await reroute({ ...req, onEvent: (e) => events.push(e.type === 'info' ? e.message : '') });
  assert.deepEqual(
    second.outcomes.map((o) => `${o.stage}:${o.status}`),
    ['plan:reused', 'copy:skipped', 'verify:skipped', 'purge:skipped'],
  );
  assert.equal(second.plan.hash, first.plan.hash);
  assert.ok(
    events.some((m) => /reusing the existing plan file .* not planned again/.test(m)),
    events.join('\n'),
  );
});

test('an interrupted reroute continues where it stopped; purge waits for verify', async () => {
  const topic = await soloTopic('reroute-resume');
  const req = await request(topic);
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(reroute({ ...req, signal: aborted.signal }), (error: unknown) => error instanceof KrerouteError && error.code === 'INTERRUPTED');
  const job = JSON.parse(await readFile(jobFilePath(`${req.planFile.replace(/\.json$/, '')}.state`), 'utf8'));
  assert.deepEqual(Object.keys(job.stages), ['plan']);
  assert.deepEqual(await logStart(topic, [0, 1]), [0n, 0n], 'nothing purged');

  const resumed = await reroute(req);
  assert.deepEqual(
    resumed.outcomes.map((o) => `${o.stage}:${o.status}`),
    ['plan:reused', 'copy:done', 'verify:done', 'purge:done'],
  );
  assert.deepEqual(await logStart(topic, [0, 1]), [30n, 30n]);
});

test('without --purge the source is left alone', async () => {
  const topic = await soloTopic('reroute-no-purge');
  const result = await reroute(await request(topic, { purge: false }));
  assert.deepEqual(
    result.outcomes.map((o) => `${o.stage}:${o.status}`),
    ['plan:done', 'copy:done', 'verify:done', 'purge:not-requested'],
  );
  assert.deepEqual(await logStart(topic, [0, 1]), [0n, 0n]);
});

test('an existing plan made for other flags is refused, not silently reused', async () => {
  const topic = await soloTopic('reroute-mismatch');
  const req = await request(topic, { purge: false });
  await reroute(req);
  await assert.rejects(
    reroute({ ...req, plan: { ...req.plan, filter: { kind: 'key-prefix', prefix: 'tenant-c:' } } }),
    (error: unknown) =>
      error instanceof KrerouteError && error.code === 'PLAN_MISMATCH' && /filter: the plan has header tenant = "tenant-b"/.test(error.message),
  );
});
