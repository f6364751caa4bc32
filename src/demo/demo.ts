import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyPlan } from '../copy/copy-plan.ts';
import { KrerouteError, isKrerouteError } from '../common/errors.ts';
import type { ClientSettings } from '../kafka/client/client-settings.ts';
import { KafkaCluster } from '../kafka/client/cluster.ts';
import { readRange } from '../kafka/fetch/range-reader.ts';
import { ensureKafkaJars } from '../local/kafka-jars.ts';
import { type LocalCluster, startLocalCluster } from '../local/local-cluster.ts';
import { createPlan } from '../plan/create-plan.ts';
import type { RecordFilterSpec } from '../plan/filter/filter-spec.ts';
import { defaultStateDir, writePlanFile } from '../plan/plan-file.ts';
import { purgePlan } from '../purge/purge-plan.ts';
import { reroute } from '../reroute/reroute.ts';
import { verifyPlan } from '../verify/verify-plan.ts';
import { DEMO_TENANTS, MOVED_TENANT, auditByPartition, recordCount, ordersByPartition } from './demo-data.ts';
import type { DemoReporter } from './reporter.ts';
import { createDemoTopic, writeRecords } from './seed.ts';

export interface DemoOptions {
  /** Leave both brokers running (detached) and keep their data and the plan files. */
  keep?: boolean;
  messagesPerTenant?: number;
  auditMessages?: number;
  reporter: DemoReporter;
}

export interface DemoResult {
  seconds: number;
  workDir: string;
  kept: boolean;
  clusters: Array<{ name: string; bootstrap: string; pid: number; logFile: string }>;
}

const ORDERS = 'orders';
const AUDIT = `${MOVED_TENANT}-audit`;

/**
 * Two local Kafka clusters; tenant-b's messages sit on the wrong one. The demo moves them with
 * plan → copy → verify, shows that purge is refused where other tenants share the range, and
 * purges a topic the tenant owns alone with one resumable `reroute`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const { reporter } = options;
  const keep = options.keep === true;
  const perTenant = options.messagesPerTenant ?? 2000;
  const auditCount = options.auditMessages ?? 600;
  const workDir = await mkdtemp(join(tmpdir(), 'kreroute-demo-'));
  const clusters: LocalCluster[] = [];
  try {
    reporter.step('Start two local single-node Kafka clusters');
    const libsDir = await ensureKafkaJars({ log: (line) => reporter.say(line) });
    clusters.push(...(await startBoth(libsDir, keep)));
    const [wrong, right] = clusters as [LocalCluster, LocalCluster];
    reporter.say(`"wrong" cluster (source):      ${wrong.bootstrap}  cluster id ${wrong.clusterId}`);
    reporter.say(`"right" cluster (destination): ${right.bootstrap}  cluster id ${right.clusterId}`);
    if (keep) reporter.say(`--keep: both stay running after the demo (pids ${wrong.pid} and ${right.pid}; stop them with kill <pid>)`);
    const source: ClientSettings = { bootstrap: [wrong.bootstrap], clientId: 'kreroute-demo' };
    const destination: ClientSettings = { bootstrap: [right.bootstrap], clientId: 'kreroute-demo' };

    reporter.step(`Write ${DEMO_TENANTS.length} tenants' orders to the wrong cluster`);
    const now = BigInt(Date.now()) - 3_600_000n;
    const orders = ordersByPartition(perTenant, 4, now);
    const audit = auditByPartition(auditCount, 2, now);
    await seed(source, orders, audit);
    reporter.say(
      `${ORDERS}: 4 partitions, ${recordCount(orders).toLocaleString('en-US')} messages — ${perTenant.toLocaleString('en-US')} per tenant (${DEMO_TENANTS.join(', ')}) interleaved,`,
    );
    reporter.say(
      `  keys like ${MOVED_TENANT}:order-123, a "tenant" header, JSON values with a "tenant" field; ${MOVED_TENANT} also has one tombstone and one binary value`,
    );
    reporter.say(`${AUDIT}: 2 partitions, ${auditCount} messages, all of ${MOVED_TENANT}`);

    const filter: RecordFilterSpec = { kind: 'header', name: 'tenant', value: MOVED_TENANT };
    const ordersPlan = join(workDir, `${ORDERS}-${MOVED_TENANT}.plan.json`);
    const ordersState = defaultStateDir(ordersPlan);

    reporter.step(`kreroute plan --topic ${ORDERS} --header tenant=${MOVED_TENANT} --create-topics --exact --out ${ordersPlan}`);
    const plan = await createPlan({
      source,
      destination,
      topics: [ORDERS],
      from: { kind: 'earliest' },
      to: { kind: 'latest' },
      filter,
      exact: true,
      createTopics: true,
      onEvent: reporter.onEvent,
    });
    await writePlanFile(ordersPlan, plan);
    reporter.plan(plan, ordersPlan);

    reporter.step(`kreroute copy ${ordersPlan}`);
    reporter.copy(await copyPlan(plan, { source, destination, stateDir: ordersState, onEvent: reporter.onEvent }), ordersPlan);

    reporter.step(`kreroute verify ${ordersPlan}`);
    const verdict = await verifyPlan(plan, { source, destination, stateDir: ordersState, onEvent: reporter.onEvent });
    reporter.verify(verdict, ordersPlan);
    if (!verdict.passed)
      throw new KrerouteError('VERIFY_FAILED', `the demo's copy of ${ORDERS} did not verify`, {
        hint: 'this is a bug: please report it with the output above',
      });

    reporter.step(`kreroute purge ${ordersPlan}  (expected to be refused)`);
    await expectPurgeRefused(reporter, () => purgePlan(plan, { source, destination, stateDir: ordersState, onEvent: reporter.onEvent }));

    const auditPlan = join(workDir, `${AUDIT}.plan.json`);
    reporter.step(`kreroute reroute --topic ${AUDIT} --header tenant=${MOVED_TENANT} --create-topics --exact --purge --out ${auditPlan}`);
    reporter.say(`${MOVED_TENANT} owns every record of ${AUDIT}, so after a passed verify the source range can be deleted.`);
    await reroute({
      planFile: auditPlan,
      plan: { source, destination, topics: [AUDIT], from: { kind: 'earliest' }, to: { kind: 'latest' }, filter, exact: true, createTopics: true },
      purge: true,
      onEvent: reporter.onEvent,
      onStage: (outcome) => reporter.rerouteStage(outcome, auditPlan),
    });

    reporter.step('Where the messages are now');
    await showWhereTheyAre(reporter, source, destination);
    return {
      seconds: (performance.now() - started) / 1000,
      workDir,
      kept: keep,
      clusters: clusters.map((c) => ({ name: c.name, bootstrap: c.bootstrap, pid: c.pid, logFile: c.logFile })),
    };
  } finally {
    if (!keep) {
      await Promise.allSettled(clusters.map((c) => c.stop()));
      await Promise.allSettled([rm(workDir, { recursive: true, force: true }), ...clusters.map((c) => rm(c.dataDir, { recursive: true, force: true }))]);
    }
  }
}

async function startBoth(libsDir: string, keep: boolean): Promise<LocalCluster[]> {
  const results = await Promise.allSettled(['kafka-wrong', 'kafka-right'].map((name) => startLocalCluster({ name, libsDir, detached: keep })));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(started.map((c) => c.stop()));
    throw failed.reason;
  }
  return started;
}

async function seed(settings: ClientSettings, orders: Parameters<typeof writeRecords>[2], audit: Parameters<typeof writeRecords>[2]): Promise<void> {
  const cluster = new KafkaCluster(settings, 'source');
  try {
    await createDemoTopic(cluster, ORDERS, 4);
    await createDemoTopic(cluster, AUDIT, 2);
    await writeRecords(cluster, ORDERS, orders);
    await writeRecords(cluster, AUDIT, audit);
  } finally {
    await cluster.close();
  }
}

async function expectPurgeRefused(reporter: DemoReporter, purge: () => Promise<unknown>): Promise<void> {
  try {
    await purge();
  } catch (error) {
    if (isKrerouteError(error) && error.code === 'PURGE_UNSAFE') {
      reporter.refusal(error);
      reporter.say(
        `Why: Kafka can only delete a partition's oldest records (DeleteRecords moves the log start offset). ` +
          `${MOVED_TENANT}'s records are interleaved with the other tenants' in the same offsets, so deleting them would delete ` +
          `theirs too. kreroute refuses; ${MOVED_TENANT}'s old copies on the source expire with the topic's retention.`,
      );
      return;
    }
    throw error;
  }
  throw new KrerouteError('INTERNAL', `purge of the shared ${ORDERS} range was not refused`, { hint: 'this is a bug: please report it' });
}

/** Committed records in a topic (commit markers and aborted data are not records), and how many are the moved tenant's. */
async function countOnCluster(settings: ClientSettings, label: string, topic: string, partitions: number): Promise<{ records: number; moved: number }> {
  const cluster = new KafkaCluster(settings, label);
  const tenant = Buffer.from(MOVED_TENANT);
  let records = 0;
  let moved = 0;
  try {
    const all = [...Array(partitions).keys()];
    const earliest = await cluster.listOffsets(topic, all, { kind: 'earliest' });
    const latest = await cluster.listOffsets(topic, all, { kind: 'latest' });
    for (const [i, end] of latest.entries()) {
      for await (const chunk of readRange(cluster, topic, end.partition, earliest[i]?.offset ?? 0n, end.offset)) {
        records += chunk.records.length;
        moved += chunk.records.filter((r) => r.headers.some(([k, v]) => k.toString() === 'tenant' && v?.equals(tenant))).length;
      }
    }
    return { records, moved };
  } finally {
    await cluster.close();
  }
}

async function showWhereTheyAre(reporter: DemoReporter, source: ClientSettings, destination: ClientSettings): Promise<void> {
  const n = (value: number) => value.toLocaleString('en-US');
  const wrongOrders = await countOnCluster(source, 'source', ORDERS, 4);
  const wrongAudit = await countOnCluster(source, 'source', AUDIT, 2);
  const rightOrders = await countOnCluster(destination, 'destination', ORDERS, 4);
  const rightAudit = await countOnCluster(destination, 'destination', AUDIT, 2);
  const whose = (c: { records: number; moved: number }) =>
    c.moved === c.records ? `all of ${MOVED_TENANT}` : `${n(c.moved)} of ${MOVED_TENANT}, ${n(c.records - c.moved)} of others`;
  reporter.say(
    `wrong cluster  ${ORDERS}: ${n(wrongOrders.records)} messages (${n(wrongOrders.moved)} of ${MOVED_TENANT}: they leave with the topic's retention)`,
  );
  reporter.say(`wrong cluster  ${AUDIT}: ${n(wrongAudit.records)} messages left (purged)`);
  reporter.say(`right cluster  ${ORDERS}: ${n(rightOrders.records)} messages, ${whose(rightOrders)}`);
  reporter.say(`right cluster  ${AUDIT}: ${n(rightAudit.records)} messages, ${whose(rightAudit)}`);
}
