import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokerConfig, quorumBrokerConfig } from '../../../src/local/broker-config.ts';
import { scramFormatArgs, scramListenersConfig } from '../../../src/local/scram-listeners-config.ts';

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

test('SCRAM listeners sit next to PLAINTEXT: SASL_PLAINTEXT, SASL_SSL with its own TLS, users stored at format', () => {
  const base = brokerConfig(ports);
  const tls = {
    certificateChain: '-----BEGIN CERTIFICATE-----',
    privateKey: '-----BEGIN PRIVATE KEY-----',
    trustedCertificates: '-----BEGIN CERTIFICATE-----',
  };
  const config = scramListenersConfig({ users: { copier: 'pw' }, tls }, base, { scramPort: 9101, scramTlsPort: 9102 });
  assert.equal(config.listeners, 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,SCRAM://127.0.0.1:9101,SCRAM_TLS://127.0.0.1:9102');
  assert.equal(config['advertised.listeners'], 'PLAINTEXT://127.0.0.1:9092,SCRAM://127.0.0.1:9101,SCRAM_TLS://127.0.0.1:9102');
  assert.equal(config['listener.security.protocol.map'], 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SCRAM:SASL_PLAINTEXT,SCRAM_TLS:SASL_SSL');
  assert.equal(config['listener.name.scram_tls.sasl.enabled.mechanisms'], 'SCRAM-SHA-256,SCRAM-SHA-512');
  assert.equal(config['listener.name.scram_tls.ssl.keystore.type'], 'PEM');
  assert.equal(config['ssl.keystore.type'], undefined, 'TLS on the SASL_SSL listener only');
  assert.deepEqual(scramFormatArgs({ users: { copier: 'pw' } }), [
    '--add-scram',
    'SCRAM-SHA-256=[name=copier,password=pw]',
    '--add-scram',
    'SCRAM-SHA-512=[name=copier,password=pw]',
  ]);
  assert.throws(() => scramFormatArgs({ users: { copier: 'a,b' } }), /must match/);
});

test('an advertised host: the client listener binds every address and advertises that host; the controller stays on loopback', () => {
  const config = brokerConfig({ ...ports, advertisedHost: '10.77.0.1' });
  assert.equal(config.listeners, 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093');
  assert.equal(config['advertised.listeners'], 'PLAINTEXT://10.77.0.1:9092');
  assert.equal(brokerConfig(ports)['advertised.listeners'], 'PLAINTEXT://127.0.0.1:9092');
});
