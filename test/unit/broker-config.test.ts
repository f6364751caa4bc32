import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokerConfig, quorumBrokerConfig } from '../../src/local/broker-config.ts';

const ports = { brokerPort: 9092, controllerPort: 9093, dataDir: '/tmp/node-2' };

test('a single node keeps its dynamic quorum of one and one replica', () => {
  const config = brokerConfig(ports);
  assert.equal(config['node.id'], '1');
  assert.equal(config['controller.quorum.bootstrap.servers'], '127.0.0.1:9093');
  assert.equal(config['controller.quorum.voters'], undefined);
  assert.equal(config['transaction.state.log.replication.factor'], '1');
});

test('a node of three: static voters, 3 replicas, 2 in sync, and the overrides still win', () => {
  const config = quorumBrokerConfig({ ...ports, nodeId: 2, controllerPorts: [9001, 9093, 9003], overrides: { 'min.insync.replicas': '3' } });
  assert.equal(config['node.id'], '2');
  assert.equal(config['controller.quorum.voters'], '1@127.0.0.1:9001,2@127.0.0.1:9093,3@127.0.0.1:9003');
  assert.equal(config['controller.quorum.bootstrap.servers'], undefined);
  assert.equal(config['process.roles'], 'broker,controller');
  assert.equal(config['default.replication.factor'], '3');
  assert.equal(config['offsets.topic.replication.factor'], '3');
  assert.equal(config['transaction.state.log.replication.factor'], '3');
  assert.equal(config['transaction.state.log.min.isr'], '2');
  assert.equal(config['min.insync.replicas'], '3');
  assert.equal(config['log.dirs'], '/tmp/node-2');
});

test('an advertised host: the client listener binds every address and advertises that host; the controller stays on loopback', () => {
  const config = brokerConfig({ ...ports, advertisedHost: '10.77.0.1' });
  assert.equal(config.listeners, 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093');
  assert.equal(config['advertised.listeners'], 'PLAINTEXT://10.77.0.1:9092');
  assert.equal(brokerConfig(ports)['advertised.listeners'], 'PLAINTEXT://127.0.0.1:9092');
});
