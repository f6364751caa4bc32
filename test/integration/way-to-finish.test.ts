// Plans that cannot complete as made: each command says so at once and names the way out.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { Admin } from '@platformatic/kafka';
import { KrerouteError, copyPlan, verifyPlan, writePlanFile } from '../../src/index.ts';
import { type CliRun, runKreroute } from '../support/cli-run.ts';
import { uniqueName } from '../support/clusters.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { fetchPartition } from '../../src/kafka/fetch/fetch.ts';
import { scanRanges } from '../../src/kafka/fetch/range-scanner.ts';

const WHOLE_TOPIC = { from: { kind: 'earliest' }, to: { kind: 'latest' } } as const;

const records = (count: number) =>
  Array.from({ length: count }, (_, i) => record(`key-${i}`, `value-${i}`, { timestamp: BigInt(Date.now()) - 60_000n + BigInt(i), headers: [['h', `${i}`]] }));

/** A source topic of one partition holding `count` records, and an empty destination topic of the same name. */
async function topicPair(prefix: string, count: number, destinationConfigs: Record<string, string> = {}): Promise<string> {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const topic = uniqueName(prefix);
  await createTopic(sourceBootstrap, topic, 1);
  await createTopic(destinationBootstrap, topic, 1, destinationConfigs);
  await produce(sourceBootstrap, topic, new Map([[0, records(count)]]));
  return topic;
}

async function deleteSourceRecordsBefore(topic: string, offset: bigint): Promise<void> {
  const source = cluster(sides().sourceBootstrap);
  try {
    await source.deleteRecordsBefore(topic, new Map([[0, offset]]));
  } finally {
    await source.close();
  }
}

async function rejection(work: Promise<unknown>): Promise<KrerouteError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof KrerouteError, `a KrerouteError, got ${error}`);
    return error;
  }
  assert.fail('expected a rejection');
}

/** Exit code and the one error line, which comes last on stderr. */
function errorLine(run: CliRun, exitCode: number): string {
  assert.equal(run.code, exitCode, `exit code; stderr:\n${run.stderr}`);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.filter((l) => l.startsWith('kreroute: ')).length, 1, `one error line, got:\n${run.stderr}`);
  return lines.at(-1)!;
}

test('LogAppendTime destination: plan refuses it unless accepted; accepted, copy and verify pass comparing all but timestamps', async () => {
  const topic = await topicPair('finish-append-time', 30, { 'message.timestamp.type': 'LogAppendTime' });
  const refused = await rejection(plan({ topics: [topic], ...WHOLE_TOPIC }));
  assert.equal(refused.code, 'DESTINATION_CHECK');
  assert.match(refused.message, /LogAppendTime/);
  assert.match(refused.hint ?? '', /--accept-log-append-time/);

  const accepted = await plan({ topics: [topic], ...WHOLE_TOPIC, acceptLogAppendTime: true });
  assert.equal(accepted.topics[0]!.destinationTimestamps, 'log-append-time');
  const { copied, report } = await copyAndVerify(accepted, await stateDir('finish-append-time'));
  assert.equal(copied.records, 30);
  assert.equal(report.passed, true, JSON.stringify(report.partitions[0]));
  assert.equal(report.partitions[0]!.destinationCount, 30);
  assert.deepEqual(report.timestampsNotCompared, [topic]);
});

test('LogAppendTime destination on the command line: plan exits 4 with one line; reroute --accept-log-append-time finishes and says what verify compared', async () => {
  const topic = await topicPair('finish-append-time-cli', 10, { 'message.timestamp.type': 'LogAppendTime' });
  const { sourceBootstrap, destinationBootstrap } = sides();
  const dir = await stateDir('finish-append-time-cli');
  const clusters = ['--source', sourceBootstrap, '--destination', destinationBootstrap, '--topic', topic];
  const refused = errorLine(await runKreroute(['plan', ...clusters, '--out', join(dir, 'refused.plan.json')]), 4);
  assert.match(
    refused,
    new RegExp(`^kreroute: DESTINATION_CHECK: destination ${topic} uses message\\.timestamp\\.type=LogAppendTime.* — .*--accept-log-append-time`),
  );

  const run = await runKreroute(['reroute', ...clusters, '--accept-log-append-time', '--out', join(dir, 'accepted.plan.json'), '--json']);
  assert.equal(run.code, 0, run.stderr);
  const verified = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'result' && e.stage === 'verify');
  assert.equal(verified?.report?.passed, true, run.stdout);
  assert.deepEqual(verified.report.timestampsNotCompared, [topic]);
});

test('destination switched to LogAppendTime after planning: copy refuses before writing anything', async () => {
  const topic = await topicPair('finish-append-time-later', 10);
  const p = await plan({ topics: [topic], ...WHOLE_TOPIC });
  await deleteDestinationTopic(topic);
  await createTopic(sides().destinationBootstrap, topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
  const { source, destination } = sides();
  const copy = await rejection(copyPlan(p, { source, destination, stateDir: await stateDir('finish-append-time-later') }));
  assert.equal(copy.code, 'DESTINATION_CHECK');
  assert.match(copy.message, new RegExp(`destination ${topic} now uses message\\.timestamp\\.type=LogAppendTime`));
  assert.match(copy.hint ?? '', /--accept-log-append-time/);
});

test('source truncated before the copy: copy and verify say SOURCE_TRUNCATED with the lost offsets and the way out', async () => {
  const topic = await topicPair('finish-truncated', 40);
  const p = await plan({ topics: [topic], ...WHOLE_TOPIC });
  await deleteSourceRecordsBefore(topic, 15n);
  const dir = await stateDir('finish-truncated');
  const { source, destination, sourceBootstrap } = sides();

  const copy = await rejection(copyPlan(p, { source, destination, stateDir: dir }));
  assert.equal(copy.code, 'SOURCE_TRUNCATED');
  assert.match(copy.message, new RegExp(`can never be copied completely: the source deleted ${topic}\\[0\\] offsets 0–14 .*before they were copied`));
  assert.match(copy.hint ?? '', /verify of this plan can never pass; make a new plan from the current log start \(kreroute plan --from earliest/);

  const planFile = join(dir, 'truncated.plan.json');
  await writePlanFile(planFile, p);
  const verify = errorLine(
    await runKreroute(['verify', planFile, '--state-dir', dir, '--source', sourceBootstrap, '--destination', sides().destinationBootstrap]),
    7,
  );
  assert.match(
    verify,
    new RegExp(`^kreroute: SOURCE_TRUNCATED: verify of this plan can never pass: the source deleted ${topic}\\[0\\] offsets 0–14 .* — .*--from earliest`),
  );
  assert.doesNotMatch(verify, /copy (command )?again/);
});

test('source truncated after a finished copy: verify says it can never pass, not that the records differ', async () => {
  const topic = await topicPair('finish-truncated-after', 20);
  const p = await plan({ topics: [topic], ...WHOLE_TOPIC });
  const dir = await stateDir('finish-truncated-after');
  const { source, destination } = sides();
  await copyPlan(p, { source, destination, stateDir: dir });
  await deleteSourceRecordsBefore(topic, 5n);
  const verify = await rejection(verifyPlan(p, { source, destination, stateDir: dir }));
  assert.equal(verify.code, 'SOURCE_TRUNCATED');
  assert.match(verify.message, new RegExp(`verify of this plan can never pass: the source deleted ${topic}\\[0\\] offsets 0–4 .*after they were copied`));
  assert.match(verify.hint ?? '', /what was copied stays on the destination/);
});

test('destination topic deleted after the copy: verify fails at once with one DESTINATION_CHECK line naming it', async () => {
  const topic = await topicPair('finish-dest-deleted', 10);
  const p = await plan({ topics: [topic], ...WHOLE_TOPIC });
  const dir = await stateDir('finish-dest-deleted');
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  await copyPlan(p, { source, destination, stateDir: dir });
  await deleteDestinationTopic(topic);

  const planFile = join(dir, 'deleted.plan.json');
  await writePlanFile(planFile, p);
  const run = await runKreroute(['verify', planFile, '--state-dir', dir, '--source', sourceBootstrap, '--destination', destinationBootstrap], 60_000);
  const line = errorLine(run, 4);
  assert.match(
    line,
    new RegExp(`^kreroute: DESTINATION_CHECK: destination topic ${topic} does not exist on destination .* — .*verify of this plan can never pass`),
  );
  assert.ok(run.ms < 15_000, `took ${run.ms} ms`);
});

async function deleteDestinationTopic(topic: string): Promise<void> {
  const admin = new Admin({ clientId: 'kreroute-test', bootstrapBrokers: [sides().destinationBootstrap] });
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.close();
  }
  const destination = cluster(sides().destinationBootstrap);
  try {
    for (let i = 0; i < 50 && (await destination.topicLayouts([topic])).has(topic); i++) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await destination.close();
  }
}

test('records deleted under a read: SOURCE_TRUNCATED (make a new plan) on the source, DESTINATION_TRUNCATED (check its retention) on the destination', async () => {
  // One topic, read once as each side: what the error says depends only on the side it was read as.
  const { destinationBootstrap } = sides();
  const topic = uniqueName('finish-gone-under-read');
  await createTopic(destinationBootstrap, topic, 1);
  await produce(destinationBootstrap, topic, new Map([[0, records(20)]]));
  const admin = cluster(destinationBootstrap);
  try {
    await admin.deleteRecordsBefore(topic, new Map([[0, 10n]]));
  } finally {
    await admin.close();
  }
  for (const side of ['source', 'destination'] as const) {
    const reader = cluster(destinationBootstrap, side);
    try {
      const fetched = await rejection(fetchPartition(reader, topic, 0, 3n));
      const scanned = await rejection(scanRanges(reader, [{ topic, partition: 0, from: 0n, end: 20n }], { batch: () => undefined }));
      for (const error of [fetched, scanned]) {
        assert.equal(error.code, side === 'source' ? 'SOURCE_TRUNCATED' : 'DESTINATION_TRUNCATED', `${side}: ${error.message}`);
        assert.match(error.message, new RegExp(`of ${topic}\\[0\\] is no longer on ${side} `));
        assert.match(error.hint ?? '', side === 'source' ? /make a new plan/ : /retention/);
      }
    } finally {
      await reader.close();
    }
  }
});
