import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Producer } from '@platformatic/kafka';
import { KrerouteError } from '../../src/common/errors.ts';
import { readRange } from '../../src/kafka/fetch/range-reader.ts';
import { scanRanges } from '../../src/kafka/fetch/range-scanner.ts';
import { uniqueName } from '../support/clusters.ts';
import { sides } from '../support/engine.ts';
import { cluster, createTopic, produce, record } from '../support/fixtures.ts';

// A read whose every answer comes back without records, while the log says more are to come (here:
// a range past the last stable offset, which an open transaction holds), must not wait forever.
const LIMIT_S = 6;

test('reads that keep getting answers without records end with READ_STALLED after the limit, telling the wait every 5 s', { timeout: 90_000 }, async () => {
  const { sourceBootstrap } = sides();
  const topic = uniqueName('stall');
  await createTopic(sourceBootstrap, topic, 1);
  await produce(sourceBootstrap, topic, new Map([[0, Array.from({ length: 10 }, (_, i) => record(`k-${i}`, 'committed'))]]));
  const producer = new Producer({
    clientId: 'kreroute-test-stall',
    bootstrapBrokers: [sourceBootstrap],
    transactionalId: uniqueName('stall-txn'),
    idempotent: true,
    timeout: 60_000,
  }); // also its transaction timeout
  const c = cluster(sourceBootstrap);
  const previous = process.env['KREROUTE_READ_STALL_LIMIT_S'];
  process.env['KREROUTE_READ_STALL_LIMIT_S'] = String(LIMIT_S);
  let transaction: Awaited<ReturnType<Producer['beginTransaction']>> | undefined;
  try {
    transaction = await producer.beginTransaction();
    await transaction.send({
      messages: Array.from({ length: 5 }, (_, i) => ({ topic, partition: 0, key: Buffer.from(`open-${i}`), value: Buffer.from('open') })),
    });
    const end = 15n;

    const notices: string[] = [];
    let seen = 0;
    let started = Date.now();
    const single = (async () => {
      for await (const chunk of readRange(c, topic, 0, 0n, end, { maxBytes: 1024 * 1024, maxWaitMs: 100, readCommitted: true }, undefined, (m) =>
        notices.push(m),
      ))
        seen += chunk.records.length;
    })();
    await assert.rejects(
      single,
      (error: unknown) =>
        error instanceof KrerouteError &&
        error.code === 'READ_STALLED' &&
        /offset 10\b/.test(error.message) &&
        /last stable offset 10 is below the range's end 15/.test(error.message),
    );
    const singleSeconds = (Date.now() - started) / 1000;
    assert.equal(seen, 10, 'the committed records before the open transaction were read');
    assert.ok(singleSeconds >= LIMIT_S && singleSeconds < LIMIT_S + 5, `ended after ${singleSeconds} s`);
    assert.ok(notices.length >= 1 && notices.every((n) => n.includes(`${topic}[0] at offset 10`)), notices.join('\n'));

    started = Date.now();
    const scanNotices: string[] = [];
    let batches = 0;
    const scan = scanRanges(c, [{ topic, partition: 0, from: 0n, end }], { batch: () => void batches++ }, { onRetry: (m) => scanNotices.push(m) });
    await assert.rejects(scan, (error: unknown) => error instanceof KrerouteError && error.code === 'READ_STALLED');
    const scanSeconds = (Date.now() - started) / 1000;
    assert.ok(batches > 0, 'the committed batches were visited');
    assert.ok(scanSeconds >= LIMIT_S && scanSeconds < LIMIT_S + 5, `ended after ${scanSeconds} s`);
    assert.ok(
      scanNotices.some((n) => n.startsWith('waiting for records of')),
      scanNotices.join('\n'),
    );
  } finally {
    if (previous === undefined) delete process.env['KREROUTE_READ_STALL_LIMIT_S'];
    else process.env['KREROUTE_READ_STALL_LIMIT_S'] = previous;
    await c.close();
    await transaction?.abort().catch(() => undefined);
    await producer.close().catch(() => undefined);
  }
});
