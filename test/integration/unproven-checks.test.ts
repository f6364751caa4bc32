// Issue 19's closing table: checks that plan, copy, verify and purge make against the clusters and
// that had no test of their own. Each test names the check it proves, the error code and line it
// gives, and what must not have happened (nothing written, nothing deleted).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { KrerouteError, type Plan, copyPlan, purgePlan, reroute, verifyPlan, writePlanFile } from '../../src/index.ts';
import { fetchPartition } from '../../src/kafka/fetch/fetch.ts';
import type { FetchedRecord } from '../../src/kafka/wire/record.ts';
import { defaultStateDir, sealPlan } from '../../src/plan/plan-file.ts';
import { uniqueName } from '../support/clusters.ts';
import { runKreroute } from '../support/cli-run.ts';
import { copyAndVerify, plan, sides, stateDir } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';
import { recreateTopic } from '../support/recreate-topic.ts';

const WHOLE = { from: { kind: 'earliest' as const }, to: { kind: 'latest' as const } };
const BOUND = { timeout: 90_000 };

function rows(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) => record(`${prefix}-${i}`, `${prefix}-value-${i}`));
}

/** A source topic of `partitions` partitions holding `perPartition` records in each. */
async function seeded(prefix: string, partitions: number, perPartition: number, configs: Record<string, string> = {}): Promise<string> {
  const { sourceBootstrap } = sides();
  const topic = uniqueName(prefix);
  await createTopic(sourceBootstrap, topic, partitions, configs);
  await produce(sourceBootstrap, topic, new Map(Array.from({ length: partitions }, (_, p) => [p, rows(`${prefix}-${p}`, perPartition)])));
  return topic;
}

async function offsets(bootstrap: string, topic: string, partitions: number, kind: 'earliest' | 'latest'): Promise<bigint[]> {
  const c = cluster(bootstrap);
  try {
    return (await c.listOffsets(topic, [...Array(partitions).keys()], { kind })).map((l) => l.offset);
  } finally {
    await c.close();
  }
}

async function topicExists(bootstrap: string, topic: string): Promise<boolean> {
  const c = cluster(bootstrap);
  try {
    return (await c.listTopics()).includes(topic);
  } finally {
    await c.close();
  }
}

async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Admin({ clientId: 'kreroute-test', bootstrapBrokers: bootstrap.split(',') });
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.close();
  }
  for (let i = 0; i < 100 && (await topicExists(bootstrap, topic)); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await topicExists(bootstrap, topic), false, `${topic} deleted within 10 s`);
}

/** A KrerouteError of `code` whose one line (message — hint) matches `line` and is one line. */
const refused = (code: string, line: RegExp) => (error: unknown) => {
  assert.ok(error instanceof KrerouteError, `a KrerouteError, got ${error}`);
  assert.equal(error.code, code, error.oneLine());
  assert.match(error.oneLine(), line);
  assert.ok(!error.oneLine().includes('\n'), 'one line');
  return true;
};

/** The one stderr line of a refused CLI run, with its exit code. */
function refusedRun(run: { code: number | null; stdout: string; stderr: string }, exit: number, line: RegExp): void {
  const lines = run.stderr.trim().split('\n');
  assert.equal(run.code, exit, `exit ${run.code}; stdout: ${run.stdout}; stderr: ${run.stderr}`);
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, line);
}

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------- plan

test('plan: a --topic-regex that matches no source topic is UNKNOWN_TOPIC (exit 4), and no plan file is written', BOUND, async () => {
  const { sourceBootstrap, destinationBootstrap } = sides();
  const pattern = `${uniqueName('no-match')}-.*`;
  const out = join(await stateDir('no-match'), 'plan.json');
  const run = await runKreroute(
    ['plan', '--quiet', '--source', sourceBootstrap, '--destination', destinationBootstrap, '--topic-regex', pattern, '--out', out],
    60_000,
  );
  refusedRun(
    run,
    4,
    new RegExp(
      `^kreroute: UNKNOWN_TOPIC: no source topic you may describe matches /${regexEscape(pattern)}/ on source ${regexEscape(sourceBootstrap)} — check the pattern`,
    ),
  );
  assert.equal(existsSync(out), false);
});

test('plan: source and destination the same cluster with the same topic name is BAD_INPUT (exit 2), and nothing is created', BOUND, async () => {
  const { sourceBootstrap } = sides();
  const topic = await seeded('same-cluster', 1, 3);
  const out = join(await stateDir('same-cluster'), 'plan.json');
  const run = await runKreroute(
    ['plan', '--quiet', '--source', sourceBootstrap, '--destination', sourceBootstrap, '--topic', topic, '--create-topics', '--out', out],
    60_000,
  );
  refusedRun(
    run,
    2,
    /^kreroute: BAD_INPUT: source and destination are the same topic on the same cluster — point --destination at the other cluster, or give --dest-topic$/,
  );
  assert.equal(existsSync(out), false);
  assert.deepEqual(await offsets(sourceBootstrap, topic, 1, 'latest'), [3n], 'the topic is as it was');
});

test('plan: --from offset:N below the source log start is a START_BEFORE_LOG warning naming the partition and its log start', BOUND, async () => {
  const { sourceBootstrap } = sides();
  const topic = await seeded('before-log', 2, 10);
  const c = cluster(sourceBootstrap);
  try {
    await c.deleteRecordsBefore(topic, new Map([[0, 4n]]));
  } finally {
    await c.close();
  }
  const p = await plan({ topics: [topic], from: { kind: 'offset', offset: 2n }, to: { kind: 'latest' }, createTopics: true });
  const warned = p.checks.filter((c) => c.code === 'START_BEFORE_LOG');
  assert.deepEqual(
    warned.map((w) => [w.level, w.partition, w.message]),
    [['warning', 0, `${topic}[0] starts at 4; offsets before it no longer exist`]],
    'partition 1 still holds offset 2: no warning for it',
  );
});

test("plan without --exact: a source max.message.bytes larger than the destination's is a MAX_MESSAGE_BYTES warning", BOUND, async () => {
  const { destinationBootstrap } = sides();
  const topic = await seeded('max-bytes', 1, 3, { 'max.message.bytes': String(2 * 1024 * 1024) });
  await createTopic(destinationBootstrap, topic, 1, { 'max.message.bytes': '500000' });
  const p = await plan({ topics: [topic], ...WHOLE });
  const warned = p.checks.filter((c) => c.code === 'MAX_MESSAGE_BYTES');
  assert.deepEqual(
    warned.map((w) => [w.level, w.message]),
    [
      [
        'warning',
        `destination ${topic} accepts batches up to 500000 bytes, the source up to 2097152: a large record may be refused (plan --exact measures the largest)`,
      ],
    ],
  );
  const exact = await plan({ topics: [topic], ...WHOLE, exact: true });
  assert.equal(exact.checks.filter((c) => c.code === 'MAX_MESSAGE_BYTES').length, 0, 'with --exact the largest record is measured instead');
});

// ---------------------------------------------------------------- copy

/** Nothing of the plan reached the destination or the state folder. */
async function nothingWritten(dir: string, topic: string, partitions: number): Promise<void> {
  const { destinationBootstrap } = sides();
  if (await topicExists(destinationBootstrap, topic))
    assert.deepEqual(await offsets(destinationBootstrap, topic, partitions, 'latest'), Array(partitions).fill(0n), 'nothing written');
  assert.deepEqual(await readdir(dir), [], 'no checkpoint in the state folder');
}

test('copy: destination topic deleted after plan is DESTINATION_CHECK, and nothing is written (the topic is not created again)', BOUND, async () => {
  const { source, destination, destinationBootstrap } = sides();
  const topic = await seeded('copy-dest-gone', 1, 20);
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  await deleteTopic(destinationBootstrap, topic);
  const dir = await stateDir('copy-dest-gone');
  await assert.rejects(
    copyPlan(p, { source, destination, stateDir: dir }),
    refused(
      'DESTINATION_CHECK',
      new RegExp(
        `^destination topic ${topic} does not exist on destination ${regexEscape(destinationBootstrap)} — create it \\(or plan again with --create-topics\\)$`,
      ),
    ),
  );
  assert.equal(await topicExists(destinationBootstrap, topic), false);
  await nothingWritten(dir, topic, 1);
});

test('copy: destination topic recreated with more, or fewer, partitions than the plan is DESTINATION_CHECK, and nothing is written', BOUND, async () => {
  const { source, destination, destinationBootstrap } = sides();
  for (const [planned, now] of [
    [1, 2],
    [2, 1],
  ] as const) {
    const topic = await seeded(`copy-dest-${planned}-to-${now}`, planned, 10);
    const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
    await recreateTopic(destinationBootstrap, topic, now);
    const dir = await stateDir('copy-dest-partitions');
    await assert.rejects(
      copyPlan(p, { source, destination, stateDir: dir }),
      refused(
        'DESTINATION_CHECK',
        new RegExp(
          `^destination ${topic} has ${now} partitions, the plan was made for ${planned} — make a new plan: the partition mapping depends on the count$`,
        ),
      ),
    );
    await nothingWritten(dir, topic, now);
  }
});

test('copy: destination topic recreated with the same partitions between plan and copy is TOPIC_RECREATED, and nothing is written', BOUND, async () => {
  const { source, destination, destinationBootstrap } = sides();
  const topic = await seeded('copy-dest-recreated', 1, 20);
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  await recreateTopic(destinationBootstrap, topic, 1);
  const dir = await stateDir('copy-dest-recreated');
  await assert.rejects(
    copyPlan(p, { source, destination, stateDir: dir }),
    refused(
      'TOPIC_RECREATED',
      new RegExp(
        `^destination topic ${topic} is not the topic the plan was made for \\(deleted and recreated since: topic id \\S+, the plan's ${p.topics[0]!.destinationTopicId}\\) — the plan's destination offsets belong to the old topic`,
      ),
    ),
  );
  await nothingWritten(dir, topic, 1);
});

test(
  'copy: the state folder says an exactly-once copy finished but its checkpoint topic was deleted since is CHECKPOINT_MISMATCH, and nothing is copied again',
  BOUND,
  async () => {
    const { source, destination, destinationBootstrap } = sides();
    const topic = await seeded('copy-mirror-ahead', 1, 25);
    const checkpointTopic = uniqueName('checkpoints-lost');
    const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
    const dir = await stateDir('copy-mirror-ahead');
    await copyPlan(p, { source, destination, stateDir: dir, mode: 'exactly-once', checkpointTopic });
    const copied = await offsets(destinationBootstrap, topic, 1, 'latest');
    await deleteTopic(destinationBootstrap, checkpointTopic);
    await assert.rejects(
      copyPlan(p, { source, destination, stateDir: dir, checkpointTopic }),
      refused(
        'CHECKPOINT_MISMATCH',
        new RegExp(
          `^the state folder says 25 record\\(s\\) of this plan were copied \\(complete\\), but the checkpoint on the destination \\(${checkpointTopic}\\) holds none — the destination lost its checkpoint`,
        ),
      ),
    );
    assert.deepEqual(await offsets(destinationBootstrap, topic, 1, 'latest'), copied, 'nothing written again');
  },
);

// ---------------------------------------------------------------- verify

test('verify: destination topic recreated with fewer partitions than the plan is DESTINATION_CHECK in one line', BOUND, async () => {
  const { source, destination, destinationBootstrap } = sides();
  const topic = await seeded('verify-fewer', 2, 10);
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  const dir = await stateDir('verify-fewer');
  await copyPlan(p, { source, destination, stateDir: dir, mode: 'at-least-once' });
  await recreateTopic(destinationBootstrap, topic, 1);
  await assert.rejects(
    verifyPlan(p, { source, destination, stateDir: dir }),
    refused(
      'DESTINATION_CHECK',
      new RegExp(
        `^destination ${topic} has 1 partitions, the plan was made for 2 — the topic was recreated since the copy, so verify of this plan can never pass`,
      ),
    ),
  );
});

test('verify: a plan of which nothing was copied is BAD_INPUT naming the state folder', BOUND, async () => {
  const { source, destination } = sides();
  const topic = await seeded('verify-uncopied', 1, 5);
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  const dir = await stateDir('verify-uncopied');
  await assert.rejects(
    verifyPlan(p, { source, destination, stateDir: dir }),
    refused(
      'BAD_INPUT',
      new RegExp(`^nothing to verify: no copy of this plan was found in ${regexEscape(dir)} or on the destination — run kreroute copy first`),
    ),
  );
});

// ---------------------------------------------------------------- purge

test('purge: destination topic deleted after verify is NOT_VERIFIED, and the source keeps every record', BOUND, async () => {
  const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
  const topic = await seeded('purge-dest-gone', 2, 15);
  const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
  const dir = await stateDir('purge-dest-gone');
  assert.equal((await copyAndVerify(p, dir)).report.passed, true);
  await deleteTopic(destinationBootstrap, topic);
  await assert.rejects(
    purgePlan(p, { source, destination, stateDir: dir }),
    refused('NOT_VERIFIED', new RegExp(`^purge refused: destination topic ${topic} no longer exists — run kreroute verify again; nothing was deleted$`)),
  );
  assert.deepEqual(await offsets(sourceBootstrap, topic, 2, 'earliest'), [0n, 0n]);
});

/** The plan with its topics changed and sealed again, as a plan file of that content would be. */
function edited(p: Plan, change: (topic: Plan['topics'][number]) => void): Plan {
  const { hash: _hash, ...content } = structuredClone(p);
  for (const topic of content.topics) change(topic);
  return sealPlan(content);
}

test(
  'purge: a copied record changed on the destination since verify (topic recreated, other records at the anchor offsets) is refused, the source intact: TOPIC_RECREATED by the topic id, which comes first',
  BOUND,
  async () => {
    const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
    const topic = await seeded('purge-anchor-id', 1, 20);
    const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
    const dir = await stateDir('purge-anchor-id');
    assert.equal((await copyAndVerify(p, dir)).report.passed, true);
    // As many records at the same offsets, other values: every anchor's digest differs too.
    await recreateTopic(destinationBootstrap, topic, 1);
    await produce(destinationBootstrap, topic, new Map([[0, rows('other', 20)]]));
    await assert.rejects(
      purgePlan(p, { source, destination, stateDir: dir }),
      refused(
        'TOPIC_RECREATED',
        new RegExp(
          `^destination topic ${topic} is not the topic the plan was made for \\(deleted and recreated since: topic id .*\\) — nothing was deleted: the copy went with the old destination topic`,
        ),
      ),
    );
    assert.deepEqual(await offsets(sourceBootstrap, topic, 1, 'earliest'), [0n]);
  },
);

test(
  "purge: a copied record changed on the destination since verify, for a plan without topic ids (an older kreroute's): NOT_VERIFIED by the anchor digest, the source intact",
  BOUND,
  async () => {
    const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
    const topic = await seeded('purge-anchor-digest', 1, 20);
    const made = await plan({ topics: [topic], ...WHOLE, createTopics: true });
    // Only verify's destination anchors remain to tell the copy from other records at its offsets.
    const old = edited(made, (t) => {
      delete t.sourceTopicId;
      delete t.destinationTopicId;
      for (const partition of t.partitions) delete partition.anchors;
    });
    const dir = await stateDir('purge-anchor-digest');
    assert.equal((await copyAndVerify(old, dir)).report.passed, true);
    await recreateTopic(destinationBootstrap, topic, 1);
    await produce(destinationBootstrap, topic, new Map([[0, rows('other', 20)]]));
    await assert.rejects(
      purgePlan(old, { source, destination, stateDir: dir }),
      refused(
        'NOT_VERIFIED',
        new RegExp(
          `^purge refused: the copied record at ${topic}\\[0\\] offset 0 is no longer on the destination as verify saw it — run kreroute verify again; nothing was deleted$`,
        ),
      ),
    );
    assert.deepEqual(await offsets(sourceBootstrap, topic, 1, 'earliest'), [0n]);
  },
);

// ---------------------------------------------------------------- reroute

async function recordAt(bootstrap: string, topic: string, offset: bigint): Promise<FetchedRecord> {
  const c = cluster(bootstrap);
  try {
    const fetched = await fetchPartition(c, topic, 0, offset, { maxBytes: 1024 * 1024, maxWaitMs: 100, readCommitted: true });
    return fetched.records.find((r) => r.offset === offset)!;
  } finally {
    await c.close();
  }
}

test(
  'reroute --purge: a planned record written again on the destination by another producer between copy and verify fails verify (exit 8), and nothing is purged',
  BOUND,
  async () => {
    const { source, destination, sourceBootstrap, destinationBootstrap } = sides();
    const topic = await seeded('reroute-verify-fails', 1, 30);
    const planFile = join(await stateDir('reroute-verify-fails'), 'plan.json');
    const flags = ['--source', sourceBootstrap, '--destination', destinationBootstrap, '--topic', topic, '--create-topics', '--out', planFile];
    // Plan and copy as reroute would, then another producer writes a copy of planned record 7.
    const p = await plan({ topics: [topic], ...WHOLE, createTopics: true });
    await writePlanFile(planFile, p);
    await copyPlan(p, { source, destination, stateDir: defaultStateDir(planFile) });
    const planned = await recordAt(sourceBootstrap, topic, 7n);
    assert.equal(planned.key!.toString(), 'reroute-verify-fails-0-7');
    await produce(
      destinationBootstrap,
      topic,
      new Map([[0, [{ key: planned.key, value: planned.value, timestamp: planned.timestamp, headers: planned.headers }]]]),
    );

    const verify = await runKreroute(['verify', planFile, '--quiet'], 60_000);
    assert.equal(verify.code, 8, `kreroute verify: exit ${verify.code}; stdout: ${verify.stdout}; stderr: ${verify.stderr}`);
    const run = await runKreroute(['reroute', ...flags, '--purge'], 80_000);
    assert.equal(run.code, 8, `exit ${run.code}; stdout: ${run.stdout}; stderr: ${run.stderr}`);
    assert.match(run.stderr, /kreroute: VERIFY_FAILED: 1 of 1 destination partitions differ from the source — nothing was purged/);
    assert.deepEqual(await offsets(sourceBootstrap, topic, 1, 'earliest'), [0n], 'the source log start did not move');
  },
);

test('reroute: its plan file gone but its state folder kept is CHECKPOINT_MISMATCH, and nothing is planned or copied again', BOUND, async () => {
  const { source, destination, destinationBootstrap } = sides();
  const topic = await seeded('reroute-plan-gone', 1, 10);
  const planFile = join(await stateDir('reroute-plan-gone'), 'plan.json');
  const request = { planFile, plan: { source, destination, topics: [topic], ...WHOLE, createTopics: true } };
  await reroute(request);
  const copied = await offsets(destinationBootstrap, topic, 1, 'latest');
  await rm(planFile);
  await assert.rejects(
    reroute(request),
    refused(
      'CHECKPOINT_MISMATCH',
      new RegExp(
        `^the state folder ${regexEscape(defaultStateDir(planFile))} holds progress of a plan, but ${regexEscape(planFile)} is gone — restore the plan file to continue`,
      ),
    ),
  );
  assert.equal(existsSync(planFile), false, 'not planned again');
  assert.deepEqual(await offsets(destinationBootstrap, topic, 1, 'latest'), copied, 'not copied again');
});
