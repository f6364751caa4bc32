// SASL/SCRAM on kreroute's own connections against a broker of its own with SCRAM listeners
// (SASL_PLAINTEXT and SASL_SSL) and a session lifetime of 10 s (connections.max.reauth.ms, KIP-368):
// copies go over kreroute's connections (counted by rawSaslCounts) and verify; a wrong password on
// them is AUTH in one line; a copy that outlives several sessions re-authenticates without a retry.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { copyPlan, createPlan, KrerouteError, verifyPlan, type ClientSettings, type EngineEvent, type PlanRequest } from '../../src/index.ts';
import { KafkaCluster } from '../../src/kafka/client/cluster.ts';
import { DataLinks } from '../../src/kafka/net/data-links.ts';
import { toKrerouteError } from '../../src/kafka/client/errors.ts';
import { librarySaslOptions } from '../../src/kafka/net/sasl/library-sasl.ts';
import { rawSaslCounts } from '../../src/kafka/net/raw-sasl.ts';
import { startLocalCluster, type LocalCluster } from '../../src/local/local-cluster.ts';
import { uniqueName } from '../support/clusters.ts';
import { stateDir } from '../support/engine.ts';
import { createTopic, produce, record } from '../support/fixtures.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/tls-broker/', import.meta.url));
const SESSION_MS = 10_000;
const PASSWORD = `scram-pw-${randomBytes(8).toString('hex')}`;
const WRONG_PASSWORD = `wrong-pw-${randomBytes(8).toString('hex')}`;

let broker: LocalCluster | undefined;
let dataDir: string | undefined;
let ca = '';
const dirs: string[] = [];

before(
  async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kreroute-scram-'));
    ca = await readFile(join(FIXTURES, 'ca.pem'), 'utf8');
    broker = await startLocalCluster({
      name: 'scram',
      dataDir,
      scram: {
        users: { copier: PASSWORD },
        tls: {
          certificateChain: await readFile(join(FIXTURES, 'broker.pem'), 'utf8'),
          privateKey: await readFile(join(FIXTURES, 'broker.key'), 'utf8'),
          trustedCertificates: ca,
        },
      },
      brokerConfig: { 'connections.max.reauth.ms': String(SESSION_MS) },
      startTimeoutMs: 150_000,
    });
  },
  { timeout: 180_000 },
);

after(
  async () => {
    await broker?.stop();
    await Promise.all([dataDir, ...dirs].filter((d): d is string => d !== undefined).map((d) => rm(d, { recursive: true, force: true })));
  },
  { timeout: 60_000 },
);

function started(): LocalCluster {
  assert.ok(broker?.scramBootstrap?.SASL_SSL, 'the SCRAM broker started');
  return broker;
}

function scram(listener: 'SASL_PLAINTEXT' | 'SASL_SSL', mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', password = PASSWORD): ClientSettings {
  const bootstrap = started().scramBootstrap![listener]!;
  return {
    bootstrap: [bootstrap],
    ...(listener === 'SASL_SSL' ? { tls: { ca } } : {}),
    sasl: { mechanism, username: 'copier', password },
    connectTimeoutMs: 5_000,
  };
}

const everything = { from: { kind: 'earliest' }, to: { kind: 'latest' } } as const satisfies Partial<PlanRequest>;

/** A topic on the SCRAM broker (written over its PLAINTEXT listener) with `count` records in each partition. */
async function seeded(prefix: string, partitions: number, count: number): Promise<string> {
  const topic = uniqueName(prefix);
  const plain = started().bootstrap;
  await createTopic(plain, topic, partitions);
  const rows = (p: number) => Array.from({ length: count }, (_, i) => record(`k${p}-${i}`, `value ${i} of ${p} `.repeat(8), { headers: [['seq', String(i)]] }));
  await produce(plain, topic, new Map(Array.from({ length: partitions }, (_, p) => [p, rows(p)])), 100);
  return topic;
}

/** plan → copy → verify from `topic` into `topic`-copy on the same broker, over these settings. */
async function copyWithin(topic: string, source: ClientSettings, destination: ClientSettings, maxRatePerSec?: number) {
  const dir = await stateDir('raw-sasl');
  dirs.push(dir);
  const events: EngineEvent[] = [];
  const p = await createPlan({ ...everything, topics: [topic], destinationTopic: `${topic}-copy`, source, destination, createTopics: true });
  const before = { ...rawSaslCounts };
  const copied = await copyPlan(p, { source, destination, stateDir: dir, onEvent: (e) => events.push(e), ...(maxRatePerSec ? { maxRatePerSec } : {}) });
  const during = {
    authentications: rawSaslCounts.authentications - before.authentications,
    reauthentications: rawSaslCounts.reauthentications - before.reauthentications,
  };
  const report = await verifyPlan(p, { source, destination, stateDir: dir });
  return { copied, report, during, retries: events.filter((e) => e.type === 'retry') };
}

test('a copy over SASL_PLAINTEXT (SCRAM-SHA-256 source, SCRAM-SHA-512 destination) goes over kreroute’s own connections, and verify passes', async () => {
  const topic = await seeded('raw-sasl-plaintext', 2, 300);
  const { copied, report, during } = await copyWithin(topic, scram('SASL_PLAINTEXT', 'SCRAM-SHA-256'), scram('SASL_PLAINTEXT', 'SCRAM-SHA-512'));
  assert.equal(copied.records, 600);
  assert.equal(report.passed, true);
  // One fetch connection to the source and at least one produce connection to the destination.
  assert.ok(during.authentications >= 2, `kreroute's own connections authenticated ${during.authentications} times`);
});

test('a copy over SASL_SSL (SCRAM-SHA-512) goes over kreroute’s own connections, and verify passes', async () => {
  // Enough that fetch responses outgrow a read (64 KiB) and are decrypted straight into their buffer.
  const topic = await seeded('raw-sasl-ssl', 2, 5_000);
  const settings = scram('SASL_SSL', 'SCRAM-SHA-512');
  const { copied, report, during } = await copyWithin(topic, settings, settings);
  assert.equal(copied.records, 10_000);
  // Passthrough: every record travelled in its fetched batch, forwarded or joined with others, none decoded.
  assert.equal(copied.stats.forwardedRecords + copied.stats.joinedRecords, 10_000, 'batches forwarded as fetched or joined');
  assert.equal(copied.stats.reencodedRecords + copied.stats.filteredRecords, 0, 'no record decoded and re-encoded');
  assert.equal(report.passed, true);
  assert.ok(during.authentications >= 2, `kreroute's own connections authenticated ${during.authentications} times`);
});

const isAuthFailure = (error: unknown) => {
  assert.ok(error instanceof KrerouteError, `a KrerouteError, got ${inspect(error, { depth: 1 })}`);
  assert.equal(error.code, 'AUTH', error.oneLine());
  const line = error.oneLine();
  assert.match(line, /authentication failed/);
  assert.ok(!line.includes('\n'), `one line: ${JSON.stringify(line)}`);
  const printed = `${line}\n${inspect(error, { depth: 20 })}`;
  for (const secret of [PASSWORD, WRONG_PASSWORD]) assert.ok(!printed.includes(secret), 'no password in the error or its causes');
  return true;
};

test('a wrong SCRAM password fails with AUTH in one line within 30 s, on the library’s connections and on kreroute’s own', async () => {
  const topic = await seeded('raw-sasl-wrong-password', 1, 10);
  const wrong = scram('SASL_SSL', 'SCRAM-SHA-512', WRONG_PASSWORD);
  let started = Date.now();
  await assert.rejects(
    createPlan({ ...everything, topics: [topic], destinationTopic: `${topic}-copy`, source: wrong, destination: wrong, createTopics: true }),
    isAuthFailure,
  );
  assert.ok(Date.now() - started < 30_000, `plan gave up after ${Date.now() - started} ms`);

  // kreroute's own connection: leaders found with the right password, the data path given the wrong one.
  const cluster = new KafkaCluster(scram('SASL_SSL', 'SCRAM-SHA-512'), 'scram');
  const links = new DataLinks(
    { settings: wrong, sasl: librarySaslOptions(wrong.sasl!), onClose: (f) => cluster.onClose(f), leaderOf: (t, p, r) => cluster.leaderOf(t, p, r) },
    1,
  );
  try {
    started = Date.now();
    const link = await links.forPartition(topic, 0, false);
    const failure = await link
      .fetch(
        100,
        1,
        1 << 20,
        0,
        0,
        -1,
        [{ topicId: topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }],
        [],
        '',
      )
      .then(
        () => assert.fail('fetched with a wrong password'),
        (error: unknown) => error,
      );
    isAuthFailure(toKrerouteError(failure, `fetching ${topic} on scram`));
    assert.ok(Date.now() - started < 30_000);
  } finally {
    links.close();
    await cluster.close();
  }
});

test('a copy that outlives several SASL sessions re-authenticates between requests: no retry, no duplicate, verify passes', { timeout: 180_000 }, async () => {
  const partitions = 2;
  const perPartition = 1_500;
  const topic = await seeded('raw-sasl-reauth', partitions, perPartition);
  const settings = scram('SASL_SSL', 'SCRAM-SHA-512');
  const startedAt = Date.now();
  // 100 records/s: about 30 s, three sessions of 10 s.
  const { copied, report, during, retries } = await copyWithin(topic, settings, settings, 100);
  const seconds = (Date.now() - startedAt) / 1000;
  assert.ok(seconds >= 25, `the copy took ${seconds} s`);
  assert.equal(copied.records, partitions * perPartition);
  assert.deepEqual(retries, [], 'no request failed');
  assert.equal(report.passed, true, 'verify found every record once, in order');
  assert.ok(during.reauthentications >= 2, `re-authenticated ${during.reauthentications} times during a ${seconds} s copy`);
});
