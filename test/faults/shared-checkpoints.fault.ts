import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { kcatTenantValues, loadKeyed } from '../support/faults/keyed-data.ts';
import { MOVING } from '../support/faults/kill-runs.ts';
import { compare, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { tail, waitFor } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import { type Job, copiedSoFar, elapsed, expectExit, failedPartitions, makeJob, startCopy, topicName, verify } from '../support/faults/scenario.ts';

// Plans share the checkpoint topic's one partition. A copier stopped between its checkpoint record
// and its commit holds back that partition's last stable offset until the broker aborts its
// transaction (about 70 s). Other plans' checkpoints committed after its record must not vanish
// meanwhile: a plan killed and resumed then must resume, a finished plan rerun must stay finished.

let clusters: FaultClusters;
const topics = { x: topicName('shared-x'), y: topicName('shared-y'), z: topicName('shared-z') };
const PARTITIONS = 4;
const load = (perPartition: number) => ({ partitions: PARTITIONS, perPartition, valueBytes: 1024, lz4: false, incompressible: false, tenantShare: 1 });

before(
  async () => {
    clusters = await startFaultClusters('shared');
    for (const [name, topic] of Object.entries(topics)) {
      await createTopic(clusters.source.bootstrap, topic, PARTITIONS);
      await loadKeyed(clusters.source.bootstrap, topic, load(name === 'y' ? 50_000 : 10_000));
    }
  },
  { timeout: 10 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

async function processState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function oracleOf(job: Job, source: string): Promise<ReturnType<typeof compare>> {
  return compare(
    await kcatTenantValues(clusters.source.bootstrap, source, PARTITIONS, null),
    await kcatTopic(clusters.destination.bootstrap, job.plan.topics[0]!.destination, PARTITIONS),
  );
}

test("a copier stopped between its checkpoint record and its commit hides no other plan's checkpoint: a plan killed and resumed meanwhile resumes, a finished plan rerun stays finished", {
  timeout: 10 * 60_000,
}, async () => {
  const started = Date.now();
  const [x, y, z] = (await Promise.all(
    (['x', 'y', 'z'] as const).map((name) =>
      makeJob(clusters, `shared-${name}`, 'exactly-once', { topics: [topics[name]], destinationTopic: `${topics[name]}-copy` }),
    ),
  )) as [Job, Job, Job];

  // Y copies slowly enough to be killed mid-way (200,000 records at 10,000/s: 20 s, time for Z to
  // start and finish on a loaded machine first); X stops itself at its second commit.
  const y1 = startCopy(y, ['--max-rate', '10000']);
  await waitFor('Y to commit some records', 60_000, async () => ((await copiedSoFar(y)) > 0 ? true : undefined));
  const x1 = startCopy(x, ['--max-rate', '10000'], { KREROUTE_FAULT_POINT: 'before-commit@2:stop' });
  await waitFor('X to stop between its checkpoint record and its commit', 60_000, async () =>
    (await processState(x1.pid)) === 'T' ? true : x1.exit() !== null ? assert.fail(`X ended: ${tail(x1.stderr())}`) : undefined,
  );
  const yAtStop = await copiedSoFar(y);
  await waitFor("Y to commit past X's open transaction", 60_000, async () => ((await copiedSoFar(y)) > yAtStop ? true : undefined));

  // Z, a plan with nothing behind X's transaction, copies without waiting for it.
  const zStarted = Date.now();
  const z1 = startCopy(z);
  expectExit(z1, await z1.waitExit(60_000, 'Z'), 0, 'Z');
  const zSeconds = elapsed(zStarted);
  assert.ok(zSeconds < 40, `Z did not wait for X's transaction (${zSeconds} s)`);

  y1.kill('SIGKILL');
  await y1.waitExit(30_000, 'Y (killed)');
  const yKilledAt = await copiedSoFar(y);
  assert.ok(yKilledAt > yAtStop && yKilledAt < 200_000, `Y was killed mid-way (${yKilledAt} copied)`);

  // Inside X's window: Y must resume (after waiting for X's transaction), Z must stay finished.
  const y2 = startCopy(y);
  const z2 = startCopy(z);
  await waitFor('Y to resume or start', 200_000, () => (MOVING.test(y2.stderr()) || y2.exit() !== null ? true : undefined));
  expectExit(y2, await y2.waitExit(200_000, 'Y resumed'), 0, 'Y resumed');
  expectExit(z2, await z2.waitExit(200_000, 'Z rerun'), 0, 'Z rerun');

  x1.kill('SIGKILL');
  await x1.waitExit(30_000, 'X (stopped, killed)');
  const x2 = startCopy(x);
  expectExit(x2, await x2.waitExit(200_000, 'X resumed'), 0, 'X resumed');

  const results = [];
  for (const [name, job] of [
    ['X', x],
    ['Y', y],
    ['Z', z],
  ] as const) {
    const report = await verify(clusters, job);
    const oracle = await oracleOf(job, job.plan.topics[0]!.source);
    results.push({ name, report, oracle });
  }
  await reportScenario({
    scenario: 'plans sharing the checkpoint topic, exactly-once',
    faults: `X stopped (SIGSTOP) between checkpoint record and commit, then SIGKILL; Y SIGKILL at ${yKilledAt} and resumed inside X's window; Z finished, rerun inside it`,
    messages: results.reduce((n, r) => n + r.oracle.expected, 0),
    lost: results.reduce((n, r) => n + r.oracle.lost, 0),
    duplicated: results.reduce((n, r) => n + r.oracle.duplicated, 0),
    seconds: elapsed(started),
    notes: results.map((r) => `${r.name} verify ${r.report.passed ? 'passed' : 'FAILED'}`).join(', ') + `; Z first copy ${zSeconds.toFixed(1)} s`,
  });
  for (const r of results) {
    assert.equal(r.oracle.lost + r.oracle.duplicated + r.oracle.foreign + r.oracle.outOfOrder, 0, `${r.name}: ${describeComparison(r.oracle)}`);
    assert.equal(r.report.passed, true, `${r.name}: ${failedPartitions(r.report)}`);
  }
  assert.match(y2.stderr(), /copy: resuming the copy/, `Y resumed instead of starting over:\n${tail(y2.stderr())}`);
  assert.match(y2.stderr(), /waiting for an open transaction on kreroute-checkpoints/, "Y waited for X's transaction, and said so");
  assert.match(z2.stdout() + z2.stderr(), /already copied completely/, `Z rerun found its plan finished:\n${tail(z2.stderr())}`);
});
