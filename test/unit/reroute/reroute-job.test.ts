import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { KrerouteError } from '../../../src/common/errors.ts';
import { jobFilePath, markStageDone, newJob, readJobFile } from '../../../src/reroute/job-file.ts';
import { planDifferences } from '../../../src/reroute/plan-matches.ts';
import type { Plan } from '../../../src/plan/plan.ts';

const root = await mkdtemp(join(tmpdir(), 'kreroute-job-'));
test.after(() => rm(root, { recursive: true, force: true }));

test('the job file records finished stages and reads back', async () => {
  const dir = await mkdtemp(join(root, 'state-'));
  assert.equal(await readJobFile(dir), null);
  let job = await markStageDone(dir, newJob('p.json', 'hash-1'), 'plan', new Date('2026-11-01T00:00:00Z'));
  job = await markStageDone(dir, job, 'copy', new Date('2026-11-01T00:01:00Z'));
  const read = await readJobFile(dir);
  assert.deepEqual(read, job);
  assert.deepEqual(read?.stages, { plan: { finishedAt: '2026-11-01T00:00:00.000Z' }, copy: { finishedAt: '2026-11-01T00:01:00.000Z' } });
  assert.match(await readFile(jobFilePath(dir), 'utf8'), /"format": "kreroute-job"/);
});

test('a damaged job file is CHECKPOINT_CORRUPT with a way out', async () => {
  const dir = await mkdtemp(join(root, 'state-'));
  await writeFile(jobFilePath(dir), '{"format":"kreroute-job"');
  await assert.rejects(readJobFile(dir), (error: unknown) => {
    assert.ok(error instanceof KrerouteError);
    assert.equal(error.code, 'CHECKPOINT_CORRUPT');
    assert.match(error.oneLine(), /job\.json is not a kreroute job file — delete it/);
    return true;
  });
});

const plan = {
  filter: { kind: 'header', name: 'tenant', value: 'b' },
  mapping: 'same',
  topics: [{ source: 'orders', destination: 'orders-eu' }],
} as unknown as Plan;
const settings = { bootstrap: ['a:1'] };
const base = { source: settings, destination: settings, from: { kind: 'earliest' }, to: { kind: 'latest' } } as const;

test('a reused plan is compared with the flags given now', () => {
  assert.deepEqual(
    planDifferences(plan, { ...base, topics: ['orders'], filter: { kind: 'header', name: 'tenant', value: 'b' }, destinationTopic: 'orders-eu' }),
    [],
  );
  const differences = planDifferences(plan, {
    ...base,
    topics: ['invoices'],
    filter: { kind: 'key-prefix', prefix: 'b:' },
    mapping: 'key-hash',
    destinationTopic: 'orders',
  });
  assert.deepEqual(differences, [
    'filter: the plan has header tenant = "b", the flags say key starts with "b:"',
    'mapping: the plan has same, the flags say key-hash',
    'topics: the plan also moves orders',
    'destination topic: the flags say orders, the plan writes to orders-eu',
  ]);
  assert.deepEqual(planDifferences({ ...plan, filter: null }, { ...base, topicPattern: '.*' }), []);
});
