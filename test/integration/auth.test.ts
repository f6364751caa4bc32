// SASL/PLAIN and ACLs against a broker of its own: wrong credentials, missing ACLs, credentials
// from a client .properties file. The destination is the shared (unsecured) test destination.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { Admin, AclOperations, AclPermissionTypes, ResourcePatternTypes, ResourceTypes, type AclOperationValue } from '@platformatic/kafka';
import { copyPlan, createPlan, KrerouteError, purgePlan, verifyPlan, writePlanFile, type ClientSettings, type PlanRequest } from '../../src/index.ts';
import { readClientProperties } from '../../src/config/properties.ts';
import { KafkaCluster } from '../../src/kafka/client/cluster.ts';
import { IdempotentProducer } from '../../src/kafka/produce/idempotent-producer.ts';
import { startLocalCluster, type LocalCluster } from '../../src/local/local-cluster.ts';
import { runKreroute } from '../support/cli-run.ts';
import { getTestClusters, uniqueName } from '../support/clusters.ts';
import { stateDir } from '../support/engine.ts';
import { record } from '../support/fixtures.ts';

// Fresh per run, so "contains no password" cannot pass by accident.
const passwords = {
  admin: `admin-pw-${randomBytes(8).toString('hex')}`,
  reader: `reader-pw-${randomBytes(8).toString('hex')}`,
  describer: `describer-pw-${randomBytes(8).toString('hex')}`,
  outsider: `outsider-pw-${randomBytes(8).toString('hex')}`,
};
type User = keyof typeof passwords;
const WRONG_PASSWORD = `wrong-pw-${randomBytes(8).toString('hex')}`;
const allSecrets = [...Object.values(passwords), WRONG_PASSWORD];

let secured: LocalCluster | undefined;
let dataDir: string | undefined;

before(
  async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kreroute-secured-'));
    secured = await startLocalCluster({
      name: 'secured',
      dataDir,
      security: { superUser: 'admin', saslPlainUsers: passwords },
      startTimeoutMs: 60_000,
    });
  },
  { timeout: 120_000 },
);

after(
  async () => {
    await secured?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

function securedBootstrap(): string {
  assert.ok(secured, 'the secured broker started');
  return secured.bootstrap;
}

function as(user: User, password = passwords[user]): ClientSettings {
  return { bootstrap: [securedBootstrap()], sasl: { mechanism: 'PLAIN', username: user, password }, connectTimeoutMs: 5_000 };
}

const destination = (): ClientSettings => ({ bootstrap: [getTestClusters().destination] });

const everything = { from: { kind: 'earliest' }, to: { kind: 'latest' } } as const satisfies Partial<PlanRequest>;

const fails = (code: string, pattern?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof KrerouteError, `a KrerouteError, got ${inspect(error, { depth: 1 })}`);
  assert.equal(error.code, code, error.oneLine());
  const line = error.oneLine();
  if (pattern) assert.match(line, pattern);
  assert.ok(!line.includes('\n'), `one line: ${JSON.stringify(line)}`);
  const everythingPrinted = `${line}\n${inspect(error, { depth: 20 })}`;
  for (const secret of allSecrets) assert.ok(!everythingPrinted.includes(secret), 'no password in the error or its causes');
  return true;
};

async function withAdmin<T>(work: (cluster: KafkaCluster) => Promise<T>): Promise<T> {
  const cluster = new KafkaCluster(as('admin'), 'secured');
  try {
    return await work(cluster);
  } finally {
    await cluster.close();
  }
}

/** A topic on the secured broker holding `count` records in each partition. */
async function seededTopic(prefix: string, partitions = 1, count = 20): Promise<string> {
  const topic = uniqueName(prefix);
  await withAdmin(async (cluster) => {
    await cluster.createTopic(topic, partitions, new Map());
    for (let i = 0; i < 50; i++) {
      const partitionsOf = (await cluster.metadata([topic])).topics.get(topic)?.partitions ?? [];
      if (partitionsOf.length === partitions && partitionsOf.every((p) => p && p.leader >= 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const producer = await IdempotentProducer.create(cluster);
    await Promise.all(
      Array.from({ length: partitions }, (_, p) =>
        producer.send(
          topic,
          p,
          Array.from({ length: count }, (_, i) => record(`k${p}-${i}`, `v${i}`)),
        ),
      ),
    );
  });
  return topic;
}

/** ALLOW ACLs for `user` on one topic; returns once the broker's authorizer enforces them. */
async function grant(user: User, topic: string, operations: AclOperationValue[]): Promise<void> {
  const principal = `User:${user}`;
  const target = { resourceType: ResourceTypes.TOPIC, resourceName: topic, resourcePatternType: ResourcePatternTypes.LITERAL };
  const admin = new Admin({
    clientId: 'kreroute-test-acls',
    bootstrapBrokers: [securedBootstrap()],
    sasl: { mechanism: 'PLAIN', username: 'admin', password: passwords.admin },
  });
  try {
    await admin.createAcls({
      creations: operations.map((operation) => ({ ...target, principal, host: '*', operation, permissionType: AclPermissionTypes.ALLOW })),
    });
    // DescribeAcls is answered from the authorizer's own copy, so once it lists them they apply.
    const filter = { ...target, principal, host: null, operation: AclOperations.ANY, permissionType: AclPermissionTypes.ANY };
    for (let i = 0; i < 50; i++) {
      const listed = (await admin.describeAcls({ filter })).flatMap((r) => r.acls);
      if (listed.length >= operations.length) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`ACLs for ${principal} on ${topic} not visible after 5 s`);
  } finally {
    await admin.close();
  }
}

async function logStarts(topic: string, partitions: number[]): Promise<bigint[]> {
  return withAdmin(async (cluster) => (await cluster.listOffsets(topic, partitions, { kind: 'earliest' })).map((l) => l.offset));
}

test('a wrong SASL password fails with AUTH, quickly, naming no password', async () => {
  const topic = await seededTopic('auth-wrong-password');
  const started = Date.now();
  await assert.rejects(
    createPlan({ ...everything, topics: [topic], source: as('admin', WRONG_PASSWORD), destination: destination(), createTopics: true }),
    fails('AUTH', /authentication failed/),
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 30_000, `gave up after ${elapsed} ms`);
});

test('a user who may not describe the source topic is told it does not exist or may not be described', async () => {
  // Kafka leaves topics the principal may not DESCRIBE out of a list of all topics, so the
  // topic looks missing; naming a topic explicitly gets TOPIC_AUTHORIZATION_FAILED whether or not
  // it exists. Either way the existence of the topic is not revealed.
  const topic = await seededTopic('auth-no-describe');
  await assert.rejects(
    createPlan({ ...everything, topics: [topic], source: as('outsider'), destination: destination(), createTopics: true }),
    fails('UNKNOWN_TOPIC', /does not exist or you may not describe it/),
  );
});

test('a user who may describe but not read the source topic fails with NOT_AUTHORIZED', async () => {
  const topic = await seededTopic('auth-no-read');
  await grant('describer', topic, [AclOperations.DESCRIBE, AclOperations.DESCRIBE_CONFIGS]);
  await assert.rejects(
    createPlan({ ...everything, topics: [topic], source: as('describer'), destination: destination(), createTopics: true }),
    fails('NOT_AUTHORIZED', /TOPIC_AUTHORIZATION_FAILED/),
  );
});

test('purge without DELETE on the topic fails with NOT_AUTHORIZED and deletes nothing', async () => {
  const topic = await seededTopic('auth-no-delete', 2);
  // READ implies DESCRIBE; plan also reads the topic's configs (DESCRIBE_CONFIGS).
  await grant('reader', topic, [AclOperations.READ, AclOperations.DESCRIBE, AclOperations.DESCRIBE_CONFIGS]);
  const source = as('reader');
  const dir = await stateDir('auth-no-delete');
  const p = await createPlan({ ...everything, topics: [topic], source, destination: destination(), createTopics: true });
  const copied = await copyPlan(p, { source, destination: destination(), stateDir: dir });
  assert.equal(copied.records, 40);
  const report = await verifyPlan(p, { source, destination: destination(), stateDir: dir });
  assert.equal(report.passed, true);

  const dry = await purgePlan(p, { source, destination: destination(), stateDir: dir, dryRun: true });
  assert.deepEqual(
    dry.partitions.map((x) => x.records),
    [20, 20],
    'a dry run needs only DESCRIBE',
  );
  await assert.rejects(
    purgePlan(p, { source, destination: destination(), stateDir: dir }),
    fails('NOT_AUTHORIZED', /deleting records of .*TOPIC_AUTHORIZATION_FAILED/),
  );
  assert.deepEqual(await logStarts(topic, [0, 1]), [0n, 0n], 'nothing was deleted');
});

function propertiesText(password: string): string {
  return [
    `bootstrap.servers=${securedBootstrap()}`,
    'security.protocol=SASL_PLAINTEXT',
    'sasl.mechanism=PLAIN',
    `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${password}";`,
    '',
  ].join('\n');
}

test('SASL settings from a client .properties file reach the broker', async () => {
  const topic = await seededTopic('auth-properties');
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-auth-properties-'));
  try {
    const file = join(dir, 'source.properties');
    await writeFile(file, propertiesText(passwords.admin));
    const properties = await readClientProperties(file);
    assert.deepEqual(properties.warnings, []);
    assert.equal(properties.bootstrapServers?.value, securedBootstrap());
    const source: ClientSettings = { bootstrap: [properties.bootstrapServers.value], ...properties.settings };
    assert.equal(source.sasl?.mechanism, 'PLAIN');
    const p = await createPlan({ ...everything, topics: [topic], source, destination: destination(), createTopics: true });
    assert.equal(p.source.clusterId, secured?.clusterId);
    assert.equal(p.topics[0]?.partitions[0]?.end, '20');
    assert.ok(!JSON.stringify(p).includes(passwords.admin), 'the plan holds no password');

    // The same file with a wrong password is refused as AUTH.
    await writeFile(file, propertiesText(WRONG_PASSWORD));
    const wrong = await readClientProperties(file);
    await assert.rejects(
      createPlan({
        ...everything,
        topics: [topic],
        source: { bootstrap: [securedBootstrap()], ...wrong.settings },
        destination: destination(),
        createTopics: true,
      }),
      fails('AUTH'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('kreroute copy with a wrong password in --source-config: AUTH, exit 3 (fix first, not retried by a Job), no password printed', async () => {
  const topic = await seededTopic('auth-cli');
  const dir = await mkdtemp(join(tmpdir(), 'kreroute-auth-cli-'));
  try {
    const planFile = join(dir, 'plan.json');
    await writePlanFile(planFile, await createPlan({ ...everything, topics: [topic], source: as('admin'), destination: destination(), createTopics: true }));
    const config = join(dir, 'source.properties');
    await writeFile(config, propertiesText(WRONG_PASSWORD));
    const run = await runKreroute(['copy', planFile, '--source-config', config, '--json', '--state-dir', join(dir, 'state')], 60_000);
    assert.equal(run.code, 3, run.stderr);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('kreroute: '));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^kreroute: AUTH: authentication failed/);
    const error = run.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['type'] === 'error');
    assert.deepEqual([error?.['code'], error?.['exitCode']], ['AUTH', 3]);
    for (const secret of allSecrets) assert.ok(!`${run.stdout}${run.stderr}`.includes(secret), 'no password printed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
