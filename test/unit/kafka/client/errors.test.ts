// A Kafka error that Kafka itself marks final (not a RetriableException) must not exit with a
// number that tells a script or a Kubernetes Job to run the same command again.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ProtocolError } from '@platformatic/kafka';
import { rerunMayHelp, toKrerouteError } from '../../../../src/kafka/client/errors.ts';

const mapped = (id: string) => toKrerouteError(new ProtocolError(id), 'creating topic orders on destination b:9092');

test('answers Kafka marks final are KAFKA_REFUSED, not retryable', () => {
  for (const id of ['INVALID_CONFIG', 'POLICY_VIOLATION', 'INVALID_REPLICATION_FACTOR', 'UNSUPPORTED_VERSION', 'UNKNOWN_SERVER_ERROR']) {
    const error = mapped(id);
    assert.equal(error.code, 'KAFKA_REFUSED', id);
    assert.equal(error.retryable, false, id);
    assert.equal(error.exitCode, 3, id);
    assert.match(error.message, new RegExp(`^the cluster refused the request while creating topic orders on destination b:9092: ${id}$`));
  }
});

test('authorization answers are NOT_AUTHORIZED, also final', () => {
  for (const id of ['TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']) {
    assert.equal(mapped(id).code, 'NOT_AUTHORIZED', id);
    assert.equal(mapped(id).exitCode, 3, id);
  }
});

test('answers Kafka marks retriable, and producer-state refusals a new run clears, stay KAFKA (retry may help)', () => {
  for (const id of ['COORDINATOR_NOT_AVAILABLE', 'NOT_ENOUGH_REPLICAS', 'KAFKA_STORAGE_ERROR', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID']) {
    const error = mapped(id);
    assert.equal(error.code, 'KAFKA', id);
    assert.equal(error.retryable, true, id);
    assert.equal(error.exitCode, 12, id);
  }
  assert.equal(toKrerouteError(new Error('the broker sent no data'), 'reading').code, 'KAFKA');
});

test('one final answer among retriable ones makes the whole failure final; an id the table does not know does not', () => {
  assert.equal(rerunMayHelp(['NOT_ENOUGH_REPLICAS', 'INVALID_CONFIG']), false);
  assert.equal(rerunMayHelp(['NOT_ENOUGH_REPLICAS', 'REQUEST_TIMED_OUT']), true);
  assert.equal(rerunMayHelp(['SOME_FUTURE_ERROR']), true);
});
