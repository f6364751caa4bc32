import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readPlanFile } from '../../src/index.ts';
import { type LocalCluster, startLocalCluster } from '../../src/local/local-cluster.ts';
import { cluster, createTopic } from '../support/fixtures.ts';
import { type PartitionValues, compare, describeComparison, kcatTopic } from '../support/faults/oracle.ts';
import { runCli } from '../support/faults/processes.ts';
import { reportScenario } from '../support/faults/report.ts';
import { elapsed, endOffsets, expectExit, loadSequenced, logStarts, topicName } from '../support/faults/scenario.ts';
import { TIERED_TOPIC, type TieredCluster, startTieredCluster } from '../support/tiered-cluster.ts';

// `kreroute reroute --exact --purge` from a source with tiered storage whose remote reads mostly
// outlast remote.fetch.max.wait.ms (1 ms): the broker answers many fetches without records
// although records follow. Every record must arrive once, and purge delete exactly the plan.

let source: TieredCluster;
let destination: LocalCluster;
let destinationData: string;

before(
  async () => {
    source = await startTieredCluster('faults-tiered-source', { remoteFetchMaxWaitMs: 1, brokerConfig: { 'log.retention.check.interval.ms': '1000' } });
    destinationData = await mkdtemp(join(tmpdir(), 'kreroute-faults-tiered-destination-'));
    destination = await startLocalCluster({ name: 'faults-tiered-destination', dataDir: destinationData, startTimeoutMs: 120_000 });
  },
  { timeout: 5 * 60_000 },
);

after(async () => {
  await destination?.stop();
  await source?.stop();
  if (destinationData) await rm(destinationData, { recursive: true, force: true });
});

const PARTITIONS = 4;
const PER_PARTITION = 2_500;

/** Waits (bounded) until each partition's first `offset` records are in remote storage only. */
async function waitUntilRemote(topic: string, offset: bigint): Promise<void> {
  const c = cluster(source.cluster.bootstrap);
  try {
    for (const deadline = Date.now() + 3 * 60_000; Date.now() < deadline; await sleep(1000)) {
      const local = await c.listOffsets(topic, [...Array(PARTITIONS).keys()], { kind: 'earliest-local' });
      if (local.every((l) => l.offset >= offset)) return;
    }
    throw new Error(`${topic}: offsets below ${offset} did not all move to remote storage within 3 min`);
  } finally {
    await c.close();
  }
}

for (const mode of ['exactly-once', 'at-least-once'] as const) {
  test(`reroute --exact --purge (${mode}) from a tiered source whose remote reads time out: every record once, purge to the plan's ends`, {
    timeout: 15 * 60_000,
  }, async () => {
    const started = Date.now();
    const topic = topicName(`tiered-${mode}`);
    await createTopic(source.cluster.bootstrap, topic, PARTITIONS, { ...TIERED_TOPIC });
    // ~1 KB values: 2.5 MB per partition, two 1 MB segments of each go to remote storage.
    await loadSequenced(source.cluster.bootstrap, topic, PARTITIONS, PER_PARTITION, { valueBytes: 1000, batch: 100, tag: mode });
    await waitUntilRemote(topic, 2000n);
    // The oracle: the values written, each acknowledged at offsets 0..PER_PARTITION-1 (not read back
    // from the source first: that would warm the broker's remote index cache, and reads would come quickly).
    assert.deepEqual(await endOffsets(source.cluster.bootstrap, topic, PARTITIONS), Array(PARTITIONS).fill(BigInt(PER_PARTITION)));
    const expected: PartitionValues = new Map(
      [...Array(PARTITIONS).keys()].map((p) => [p, Array.from({ length: PER_PARTITION }, (_, i) => `${mode}-p${p}-${i}`.padEnd(1000, '.'))]),
    );
    // Not --create-topics: it would copy remote.storage.enable, which the destination refuses.
    await createTopic(destination.bootstrap, topic, PARTITIONS);
    const work = await mkdtemp(join(tmpdir(), `kreroute-fault-tiered-${mode}-`));
    const planFile = join(work, 'plan.json');
    const run = runCli(
      [
        'reroute',
        '--source',
        source.cluster.bootstrap,
        '--destination',
        destination.bootstrap,
        '--topic',
        topic,
        '--exact',
        '--out',
        planFile,
        '--mode',
        mode,
        '--state-dir',
        join(work, 'state'),
        '--purge',
      ],
      { logFile: join(work, 'cli.log') },
    );
    const exit = await run.waitExit(10 * 60_000, 'reroute');
    expectExit(run, exit, 0, 'reroute');
    const waits = run
      .stderr()
      .split('\n')
      .filter((l) => l.includes('waiting for records of')).length;

    const copied = await kcatTopic(destination.bootstrap, topic, PARTITIONS);
    const comparison = compare(expected, copied);
    assert.deepEqual(
      { lost: comparison.lost, duplicated: comparison.duplicated, foreign: comparison.foreign, outOfOrder: comparison.outOfOrder, found: comparison.found },
      { lost: 0, duplicated: 0, foreign: 0, outOfOrder: 0, found: PARTITIONS * PER_PARTITION },
      describeComparison(comparison),
    );
    const plan = await readPlanFile(planFile);
    const ends = plan.topics[0]!.partitions.map((p) => BigInt(p.end));
    assert.deepEqual(await logStarts(source.cluster.bootstrap, topic, [...Array(PARTITIONS).keys()]), ends, 'purge moved every log start to the plan end');
    await reportScenario({
      scenario: `tiered source, remote reads time out (${mode})`,
      faults: 'remote.fetch.max.wait.ms=1: fetches of remote offsets answered without records',
      messages: PARTITIONS * PER_PARTITION,
      lost: comparison.lost,
      duplicated: comparison.duplicated,
      seconds: elapsed(started),
      notes: `reroute --exact --purge exit 0; ${waits} "waiting for records" notice(s) on stderr; log starts = plan ends`,
    });
    await rm(work, { recursive: true, force: true });
  });
}
