import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKrerouteError } from '../../../../src/common/errors.ts';
import { PipelinedProducer } from '../../../../src/kafka/produce/pipelined-producer.ts';
import { ERROR, IdempotentLog, type ReceivedBatch, ScriptedBroker } from '../../../support/scripted-broker.ts';
import { batchOf, scriptedCluster } from '../../../support/scripted-cluster.ts';

/**
 * The pipelined producer's recovery paths against a scripted broker connection: what the broker
 * answers is fixed by each test, so failures Kafka shows only under load or faults happen the
 * same way every run. The broker's partition log checks sequences as Kafka's does.
 */

const IDENTITY = { producerId: 7n, producerEpoch: 0 };
const TOPIC = 'orders';

function producerFor(cluster: ReturnType<typeof scriptedCluster>): PipelinedProducer {
  return new PipelinedProducer(cluster, IDENTITY, { connectionsPerBroker: 1 });
}

function values(count: number, prefix = 'v'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

/** Every write went out with one sequence only, however often it was resent. */
function assertOneSequencePerWrite(broker: ScriptedBroker): void {
  const sequenceOf = new Map<string, number>();
  for (const batch of broker.requests.flat()) {
    const first = sequenceOf.get(batch.value) ?? batch.sequence;
    assert.equal(batch.sequence, first, `${batch.value} was resent with sequence ${batch.sequence}, first sent with ${first}`);
    sequenceOf.set(batch.value, first);
  }
}

test('NOT_LEADER_OR_FOLLOWER: the leader is looked up afresh and the writes go to the new one, in order, each once', async () => {
  const log = new IdempotentLog();
  const newLeader = await ScriptedBroker.start({ script: (batches) => ({ answers: batches.map((b) => log.answer(b)) }) });
  let moved = false;
  const oldLeader = await ScriptedBroker.start({
    script: (batches) => {
      moved = true;
      return { answers: batches.map(() => ({ errorCode: ERROR.NOT_LEADER_OR_FOLLOWER })) };
    },
  });
  const cluster = scriptedCluster(() => (moved ? newLeader : oldLeader));
  const producer = producerFor(cluster);
  try {
    const written = values(10);
    const acks = await Promise.all(written.map((value) => producer.send(TOPIC, 0, batchOf(value), 1)));
    assert.deepEqual(log.values, written);
    assert.deepEqual(
      acks.map((a) => a.baseOffset),
      written.map((_, i) => BigInt(i)),
    );
    assert.ok(
      cluster.lookups.length >= 2 && cluster.lookups.at(-1) === true,
      `the leader was looked up again with fresh metadata: ${cluster.lookups.join(',')}`,
    );
    assert.ok(oldLeader.requests.length >= 1);
    assertOneSequencePerWrite(newLeader);
  } finally {
    producer.close();
    await Promise.all([oldLeader.stop(), newLeader.stop()]);
  }
});

test('OUT_OF_ORDER_SEQUENCE_NUMBER behind a failed pipelined write: all are resent in sequence order and land once each', async () => {
  const log = new IdempotentLog();
  let failed = false;
  const broker = await ScriptedBroker.start({
    script: (batches) => ({
      answers: batches.map((b) => {
        if (b.value === 'v1' && !failed) {
          failed = true;
          return { errorCode: ERROR.NOT_ENOUGH_REPLICAS };
        }
        return log.answer(b);
      }),
    }),
  });
  const producer = producerFor(scriptedCluster(() => broker));
  try {
    const written = values(8);
    await Promise.all(written.map((value) => producer.send(TOPIC, 0, batchOf(value), 1)));
    assert.deepEqual(log.values, written);
    const outOfOrder = broker.requests.flat().filter((b) => ['v2', 'v3', 'v4'].includes(b.value)).length;
    assert.ok(outOfOrder > 3, 'writes behind the failed one were refused as out of order and resent');
    assertOneSequencePerWrite(broker);
  } finally {
    producer.close();
    await broker.stop();
  }
});

test('DUPLICATE_SEQUENCE_NUMBER: a write the broker already has counts as written, without an offset', async () => {
  const log = new IdempotentLog();
  let lost = false;
  const broker = await ScriptedBroker.start({
    script: (batches) => ({
      answers: batches.map((b) => {
        const answer = log.answer(b);
        // The write landed but its answer was lost.
        if (b.value === 'v1' && !lost) {
          lost = true;
          return { errorCode: ERROR.REQUEST_TIMED_OUT };
        }
        return answer;
      }),
    }),
  });
  const producer = producerFor(scriptedCluster(() => broker));
  try {
    const written = values(5);
    const acks = await Promise.all(written.map((value) => producer.send(TOPIC, 0, batchOf(value), 1)));
    assert.deepEqual(log.values, written);
    assert.equal(acks[1]!.baseOffset, -1n);
    assert.equal(broker.requests.flat().filter((b) => b.value === 'v1').length, 2);
    assertOneSequencePerWrite(broker);
  } finally {
    producer.close();
    await broker.stop();
  }
});

test('connection lost with several writes in flight: they are resent in order with their first sequences, none lands twice', async () => {
  const log = new IdempotentLog();
  let cut = false;
  const broker = await ScriptedBroker.start({
    script: async (batches, connection) => {
      if (!cut && batches[0]!.value === 'v1') {
        // v1 is answered once three more writes wait behind it; v2 lands, then the connection breaks.
        await connection.whenQueued(3);
        return { answers: batches.map((b) => log.answer(b)) };
      }
      if (!cut && batches[0]!.value === 'v2') {
        cut = true;
        batches.forEach((b) => log.answer(b));
        return 'close';
      }
      return { answers: batches.map((b) => log.answer(b)) };
    },
  });
  const producer = producerFor(scriptedCluster(() => broker));
  try {
    const written = values(10);
    const acks = await Promise.all(written.map((value) => producer.send(TOPIC, 0, batchOf(value), 1)));
    assert.ok(cut, 'the connection was cut mid-pipeline');
    assert.deepEqual(log.values, written);
    assert.equal(acks[2]!.baseOffset, -1n, 'v2 had landed before the connection broke: its resend is a duplicate');
    assertOneSequencePerWrite(broker);
    const resent = broker.requests.flat().filter((b: ReceivedBatch) => b.value === 'v3');
    assert.equal(resent.length, 2, 'v3 was in flight when the connection broke and went out again');
  } finally {
    producer.close();
    await broker.stop();
  }
});

test('a request that gets no answer times out with several writes in flight: they are resent in order with their first sequences, none lands twice', async () => {
  const log = new IdempotentLog();
  let silenced = false;
  const broker = await ScriptedBroker.start({
    script: async (batches, connection) => {
      if (!silenced && batches[0]!.value === 'v1') {
        await connection.whenQueued(3);
        return { answers: batches.map((b) => log.answer(b)) };
      }
      if (!silenced && batches[0]!.value === 'v2') {
        // v2 lands; no answer ever comes for it or for the writes queued behind it.
        silenced = true;
        batches.forEach((b) => log.answer(b));
        return new Promise<never>(() => undefined);
      }
      return { answers: batches.map((b) => log.answer(b)) };
    },
  });
  // The bare connection gives a request 5 s more than the cluster's request timeout.
  const producer = producerFor(scriptedCluster(() => broker, 100));
  try {
    const written = values(8);
    await Promise.all(written.map((value) => producer.send(TOPIC, 0, batchOf(value), 1)));
    assert.ok(silenced);
    assert.deepEqual(log.values, written);
    assertOneSequencePerWrite(broker);
  } finally {
    producer.close();
    await broker.stop();
  }
});

test('sequence numbers wrap from 2^31-1 to 0: writes retried across the wrap go out in send order', async () => {
  const log = new IdempotentLog();
  let failed = false;
  const broker = await ScriptedBroker.start({
    script: (batches) => ({
      answers: batches.map((b) => {
        if (b.value === 'w1' && !failed) {
          failed = true;
          return { errorCode: ERROR.NOT_ENOUGH_REPLICAS };
        }
        return log.answer(b);
      }),
    }),
  });
  const producer = producerFor(scriptedCluster(() => broker));
  try {
    // One write that claims 2^31 - 3 records brings the next sequence to 2147483645.
    await producer.send(TOPIC, 0, batchOf('jump'), 0x7ffffffd);
    log.forget();
    const written = values(5, 'w');
    await Promise.all(written.map((value) => producer.send(TOPIC, 0, batchOf(value), 1)));
    assert.deepEqual(log.values, ['jump', ...written]);
    const sequences = new Map(broker.requests.flat().map((b) => [b.value, b.sequence]));
    assert.deepEqual(
      written.map((v) => sequences.get(v)),
      [2147483645, 2147483646, 2147483647, 0, 1],
    );
    assertOneSequencePerWrite(broker);
  } finally {
    producer.close();
    await broker.stop();
  }
});

test('a transactional write is retried only while the transaction can still commit', async () => {
  const broker = await ScriptedBroker.start({ script: (batches) => ({ answers: batches.map(() => ({ errorCode: ERROR.REQUEST_TIMED_OUT })) }) });
  const producer = new PipelinedProducer(
    scriptedCluster(() => broker),
    IDENTITY,
    {
      connectionsPerBroker: 1,
      transactionalId: 'tx',
      transaction: { ageMs: () => 0, timeoutMs: 4_000 },
    },
  );
  const started = Date.now();
  try {
    await assert.rejects(producer.send(TOPIC, 0, batchOf('v0'), 1), (error: unknown) => {
      assert.ok(isKrerouteError(error) && error.code === 'COPY_FAILED', String(error));
      assert.match(error.message, /kept failing for 3 s/);
      return true;
    });
    assert.ok(Date.now() - started < 4_000, `gave up after ${Date.now() - started} ms, within the 4 s transaction timeout`);
  } finally {
    producer.close();
    await broker.stop();
  }
});

for (const { name, errorCode, ageMs, code } of [
  { name: 'an epoch bumped before the transaction could time out is a fence', errorCode: ERROR.INVALID_PRODUCER_EPOCH, ageMs: 5_000, code: 'FENCED' },
  {
    name: 'an epoch bumped after the transaction timeout is an abort on timeout',
    errorCode: ERROR.INVALID_PRODUCER_EPOCH,
    ageMs: 61_000,
    code: 'TRANSACTION_ABORTED',
  },
  { name: 'TRANSACTION_ABORTABLE is an abort', errorCode: ERROR.TRANSACTION_ABORTABLE, ageMs: 5_000, code: 'TRANSACTION_ABORTED' },
]) {
  test(`transactional write refused: ${name}`, async () => {
    const broker = await ScriptedBroker.start({ script: (batches) => ({ answers: batches.map(() => ({ errorCode })) }) });
    const producer = new PipelinedProducer(
      scriptedCluster(() => broker),
      IDENTITY,
      {
        connectionsPerBroker: 1,
        transactionalId: 'tx',
        transaction: { ageMs: () => ageMs, timeoutMs: 60_000 },
      },
    );
    try {
      await assert.rejects(producer.send(TOPIC, 0, batchOf('v0'), 1), (error: unknown) => {
        assert.ok(isKrerouteError(error), String(error));
        assert.equal(error.code, code, error.message);
        assert.equal(error.retryable, code === 'TRANSACTION_ABORTED');
        return true;
      });
    } finally {
      producer.close();
      await broker.stop();
    }
  });
}

test('a broker too old for Produce v9 fails the write at once, naming the API and its versions', async () => {
  const broker = await ScriptedBroker.start({
    script: (batches) => ({ answers: batches.map(() => ({ errorCode: 0 })) }),
    apiVersions: new Map([
      [0, [3, 8]],
      [1, [0, 11]],
      [18, [0, 3]],
    ]),
  });
  const producer = producerFor(scriptedCluster(() => broker));
  const started = Date.now();
  try {
    await assert.rejects(producer.send(TOPIC, 0, batchOf('v0'), 1), (error: unknown) => {
      assert.ok(isKrerouteError(error) && error.code === 'UNSUPPORTED', String(error));
      assert.match(error.message, /Produce versions 3 to 8; kreroute needs Produce v9/);
      return true;
    });
    assert.ok(Date.now() - started < 2_000);
    assert.equal(broker.requests.length, 0, 'no produce request was sent');
  } finally {
    producer.close();
    await broker.stop();
  }
});

test('COORDINATOR_NOT_AVAILABLE and OFFSET_NOT_AVAILABLE on a write are retried, as for every other call (one table of retriable errors)', async () => {
  const log = new IdempotentLog();
  const transient = [15 /* COORDINATOR_NOT_AVAILABLE */, 78 /* OFFSET_NOT_AVAILABLE */];
  const broker = await ScriptedBroker.start({
    script: (batches) => {
      const errorCode = transient.shift();
      return { answers: batches.map((b) => (errorCode === undefined ? log.answer(b) : { errorCode })) };
    },
  });
  const producer = producerFor(scriptedCluster(() => broker));
  try {
    const written = values(3);
    const acks = await Promise.all(written.map((value) => producer.send(TOPIC, 0, batchOf(value), 1)));
    assert.deepEqual(log.values, written);
    assert.deepEqual(
      acks.map((a) => a.baseOffset),
      [0n, 1n, 2n],
    );
    assert.equal(transient.length, 0, 'both transient answers were given');
    assertOneSequencePerWrite(broker);
  } finally {
    producer.close();
    await broker.stop();
  }
});
