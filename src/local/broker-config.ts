export interface BrokerConfigInput {
  brokerPort: number;
  controllerPort: number;
  dataDir: string;
  /**
   * Where clients in another network namespace reach the client listener (e.g. a bridge's address):
   * the listener then binds every address and advertises this one. Default: 127.0.0.1 only.
   */
  advertisedHost?: string;
  /** Added last, so they override the defaults below. */
  overrides?: Record<string, string>;
}

/** server.properties of a single-node KRaft cluster (broker and controller in one process) on 127.0.0.1. */
export function brokerConfig(input: BrokerConfigInput): Record<string, string> {
  const bind = `${input.advertisedHost ? '0.0.0.0' : '127.0.0.1'}:${input.brokerPort}`;
  const broker = `${input.advertisedHost ?? '127.0.0.1'}:${input.brokerPort}`;
  const controller = `127.0.0.1:${input.controllerPort}`;
  return {
    'process.roles': 'broker,controller',
    'node.id': '1',
    listeners: `PLAINTEXT://${bind},CONTROLLER://${controller}`,
    'advertised.listeners': `PLAINTEXT://${broker}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    // Dynamic quorum, matching `StorageTool format --standalone`.
    'controller.quorum.bootstrap.servers': controller,
    'log.dirs': input.dataDir,
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'num.partitions': '1',
    'auto.create.topics.enable': 'false',
    'log.retention.check.interval.ms': '5000',
    // Tests and the demo write records with old timestamps on purpose; time-based retention would delete them.
    'log.retention.ms': '-1',
    // Compact soon after a segment rolls, so tests of compacted topics need not wait 15 s.
    'log.cleaner.backoff.ms': '500',
    ...input.overrides,
  };
}

export interface QuorumNodeInput {
  nodeId: number;
  /** Controller ports of all the nodes, by node id (1, 2, …): they are the static quorum's voters. */
  controllerPorts: number[];
}

/**
 * Overrides of brokerConfig for one node of a cluster of several combined broker+controller nodes
 * with a static KRaft quorum (controller.quorum.voters; formatted without --standalone). Internal
 * topics and new topics get 3 replicas and 2 in sync, as production clusters commonly do.
 */
export function quorumNodeConfig(input: QuorumNodeInput): Record<string, string> {
  const replicas = String(Math.min(3, input.controllerPorts.length));
  const minIsr = String(Math.max(1, Math.min(3, input.controllerPorts.length) - 1));
  return {
    'node.id': String(input.nodeId),
    'controller.quorum.voters': input.controllerPorts.map((port, i) => `${i + 1}@127.0.0.1:${port}`).join(','),
    'default.replication.factor': replicas,
    'min.insync.replicas': minIsr,
    'offsets.topic.replication.factor': replicas,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': minIsr,
    'share.coordinator.state.topic.replication.factor': replicas,
    'share.coordinator.state.topic.min.isr': minIsr,
  };
}

/** brokerConfig for a node of a static quorum: the dynamic quorum's bootstrap entry must go. */
export function quorumBrokerConfig(input: BrokerConfigInput & QuorumNodeInput): Record<string, string> {
  const { overrides, ...base } = input;
  const config = brokerConfig(base);
  delete config['controller.quorum.bootstrap.servers'];
  return { ...config, ...quorumNodeConfig(input), ...overrides };
}

export function toProperties(config: Record<string, string>): string {
  const escaped = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return Object.entries(config)
    .map(([key, value]) => `${escaped(key)}=${escaped(value)}\n`)
    .join('');
}
