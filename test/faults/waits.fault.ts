import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTopic } from '../support/fixtures.ts';
import { type FaultClusters, startFaultClusters } from '../support/faults/clusters.ts';
import { tail } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import { elapsed, loadSequenced, makeJob, startCopy, topicName } from '../support/faults/scenario.ts';

// A transaction coordinator that never loads: the destination's __transaction_state topic asks
// for 3 replicas of a 1-broker cluster, so it can never be created and every FindCoordinator
// answers COORDINATOR_NOT_AVAILABLE. An exactly-once copy must say what it waits for while it
// waits, end after --wait-timeout with one line, and end within 10 s of a SIGTERM meanwhile.

let clusters: FaultClusters;

before(
  async () => {
    clusters = await startFaultClusters('waits', { destinationBrokerConfig: { 'transaction.state.log.replication.factor': '3' } });
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await clusters?.stop();
});

test('exactly-once copy to a destination whose transaction coordinator never loads: reported while it waits, WAIT_TIMEOUT after --wait-timeout, SIGTERM within 10 s', {
  timeout: 5 * 60_000,
}, async () => {
  const started = Date.now();
  const topic = topicName('no-coordinator');
  await createTopic(clusters.source.bootstrap, topic, 1);
  await loadSequenced(clusters.source.bootstrap, topic, 1, 500, { tag: 'no-coordinator' });
  const job = await makeJob(clusters, 'no-coordinator', 'exactly-once', { topics: [topic] });

  const copy = startCopy(job, ['--wait-timeout', '20s']);
  const exit = await copy.waitExit(60_000, 'the copy');
  const seconds = elapsed(started);
  const stderr = copy.stderr();
  assert.equal(exit.code, 11, tail(stderr));
  const notices = stderr.split('\n').filter((l) => /transaction coordinator .*COORDINATOR_NOT_AVAILABLE/.test(l) && !l.startsWith('kreroute:'));
  // One line when the wait begins, then one every 5 s (20 s: 0, ~6, ~11, ~16 s).
  assert.ok(notices.length >= 3, `reported while waiting:\n${tail(stderr)}`);
  const errors = stderr.split('\n').filter((l) => l.startsWith('kreroute: '));
  assert.equal(errors.length, 1, stderr);
  assert.match(
    errors[0]!,
    /^kreroute: WAIT_TIMEOUT: gave up after waiting 20 s for the transaction coordinator on destination .*COORDINATOR_NOT_AVAILABLE.*--wait-timeout/,
  );

  const stopped = startCopy(job);
  const deadline = Date.now() + 60_000;
  while (!/transaction coordinator/.test(stopped.stderr())) {
    assert.ok(Date.now() < deadline && stopped.exit() === null, `the copy reports the coordinator wait:\n${tail(stopped.stderr())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const sent = Date.now();
  stopped.kill('SIGTERM');
  const stop = await stopped.waitExit(30_000, 'the copy after SIGTERM');
  const stopMs = Date.now() - sent;
  assert.equal(stop.code, 143, tail(stopped.stderr()));
  assert.ok(stopMs < 10_000, `exited ${stopMs} ms after SIGTERM`);

  await reportScenario({
    scenario: 'transaction coordinator never loads (exactly-once)',
    faults: '__transaction_state cannot be created; SIGTERM while waiting',
    messages: 0,
    lost: 0,
    duplicated: 0,
    seconds,
    notes: `${notices.length} notices; WAIT_TIMEOUT after 20 s; SIGTERM honoured in ${stopMs} ms`,
  });
});
