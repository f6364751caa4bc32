import { Admin, type Connection, type ClusterMetadata, type SASLOptions } from '@platformatic/kafka';
import { KrerouteError } from '../../common/errors.ts';
import { type ClientSettings, describeBootstrap } from './client-settings.ts';
import { toKrerouteError } from './errors.ts';
import { BrokerRotation } from '../net/broker-rotation.ts';
import { LeaderDirectory } from './leader-directory.ts';
import { librarySaslOptions } from '../net/sasl/library-sasl.ts';
import { NoKafkaAnswers } from '../net/no-kafka-answers.ts';
import { DEFAULT_WAIT_TIMEOUT_MS, type WaitBound, boundedWait } from '../net/wait-notice.ts';

export interface TopicLayout {
  name: string;
  partitions: number;
  /** The topic id (KIP-516): a topic deleted and recreated under the same name gets a new one. Absent from brokers without ids. */
  id?: string;
}

/** The id an old broker (no topic ids) answers with. */
const NO_TOPIC_ID = '00000000-0000-0000-0000-000000000000';

export interface LeaderAddress {
  nodeId: number;
  host: string;
  port: number;
  leaderEpoch: number;
}

/** `earliest-local`: the first offset still in the leader's local log (KIP-405: below it, tiered storage serves the reads). */
export type OffsetSpec = { kind: 'earliest' } | { kind: 'earliest-local' } | { kind: 'latest' } | { kind: 'timestamp'; ms: bigint } | { kind: 'max-timestamp' };

export interface ListedOffset {
  partition: number;
  offset: bigint;
  /** For a timestamp or max-timestamp look-up: the timestamp of that record, -1 when none. */
  timestamp: bigint;
}

const DYNAMIC_TOPIC_CONFIG = 1;
const OFFSET_SPEC_CODES = { earliest: -2n, 'earliest-local': -4n, latest: -1n, 'max-timestamp': -3n } as const;

/**
 * One Kafka cluster as kreroute sees it: metadata, offsets, configs, topic creation, record
 * deletion, and connections to partition leaders for the data path. The only class outside
 * kafka/ that knows a broker exists.
 */
export class KafkaCluster {
  readonly settings: ClientSettings;
  /** Which end of the job this is, as given ('source', 'destination', …): errors that mean different things on each end say so. */
  readonly side: string;
  readonly label: string;
  /** How this cluster's connections log in; one per cluster, so its OAuth token is shared by every connection. */
  readonly sasl: SASLOptions | undefined;
  readonly #admin: Admin;
  #metadata: ClusterMetadata | undefined;
  readonly #leaders = new LeaderDirectory((topics) => this.metadata(topics));
  readonly #rotation = new BrokerRotation();
  /** The last error a connection reported outside a request (e.g. a TLS alert after the handshake), and when. */
  #connectionError: { error: unknown; at: number } | undefined;
  readonly #closers = new Set<() => void>();
  readonly #silent: NoKafkaAnswers;

  constructor(settings: ClientSettings, label: string) {
    this.settings = settings;
    this.side = label;
    this.label = `${label} ${describeBootstrap(settings)}`;
    this.sasl = settings.sasl ? librarySaslOptions(settings.sasl) : undefined;
    this.#admin = new Admin({
      clientId: settings.clientId ?? 'kreroute',
      bootstrapBrokers: settings.bootstrap,
      connectTimeout: settings.connectTimeoutMs ?? 10_000,
      requestTimeout: settings.requestTimeoutMs ?? 30_000,
      timeout: settings.requestTimeoutMs ?? 30_000,
      retries: 2,
      retryDelay: 500,
      ...(settings.tls ? { tls: settings.tls } : {}),
      ...(this.sasl ? { sasl: this.sasl } : {}),
    });
    this.#silent = new NoKafkaAnswers(settings.bootstrap);
    this.#admin.on('client:broker:connect', ({ connection, broker }: { connection: Connection; broker: { host: string; port: number } }) => {
      connection.on('error', (error: unknown) => {
        this.#connectionError = { error, at: Date.now() };
      });
      this.#silent.watch(connection, broker);
    });
    this.#admin.on('client:broker:failed', ({ connection, broker }: { connection: Connection; broker: { host: string; port: number } }) => {
      this.#silent.failed(connection, broker, settings.connectTimeoutMs ?? 10_000);
    });
  }

  /** How long a wait on this cluster may last, and who hears of it. */
  get waitBound(): WaitBound {
    return { timeoutMs: this.settings.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS, notice: this.settings.onWait };
  }

  async #call<T>(what: string, op: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      // Until the cluster first answers, a bootstrap broker that takes connections and never
      // answers ends the call (the client library would retry it for minutes).
      const result = await boundedWait(this.#silent.race(op()), `${this.label}: ${what}`, this.waitBound);
      this.#silent.answered();
      return result;
    } catch (error) {
      const related = this.#connectionError && this.#connectionError.at >= started ? this.#connectionError.error : undefined;
      throw toKrerouteError(error, `${what} on ${this.label}`, related);
    }
  }

  async metadata(topics: string[] = [], forceUpdate = true): Promise<ClusterMetadata> {
    this.#metadata = await this.#call('reading metadata', () => this.#admin.metadata({ topics, forceUpdate }));
    this.#leaders.remember(this.#metadata);
    return this.#metadata;
  }

  async clusterId(): Promise<string> {
    return (this.#metadata ?? (await this.metadata())).id;
  }

  async listTopics(): Promise<string[]> {
    return this.#call('listing topics', () => this.#admin.listTopics({ includeInternals: false }));
  }

  /** Layout of existing topics; a missing topic is absent from the result, not an error. */
  async topicLayouts(topics: string[]): Promise<Map<string, TopicLayout>> {
    const existing = new Set(await this.listTopics());
    const wanted = topics.filter((t) => existing.has(t));
    const result = new Map<string, TopicLayout>();
    if (wanted.length === 0) return result;
    const metadata = await this.metadata(wanted);
    for (const name of wanted) {
      const topic = metadata.topics.get(name);
      if (topic) result.set(name, { name, partitions: topic.partitionsCount, ...(topic.id && topic.id !== NO_TOPIC_ID ? { id: topic.id } : {}) });
    }
    return result;
  }

  async listOffsets(topic: string, partitions: number[], spec: OffsetSpec, readCommitted = true): Promise<ListedOffset[]> {
    const timestamp = spec.kind === 'timestamp' ? spec.ms : OFFSET_SPEC_CODES[spec.kind];
    const topics = await this.#call(`listing offsets of ${topic}`, () =>
      this.#admin.listOffsets({
        topics: [{ name: topic, partitions: partitions.map((partition) => ({ partitionIndex: partition, timestamp })) }],
        isolationLevel: readCommitted ? 1 : 0,
      }),
    );
    const listed = topics.find((t) => t.name === topic)?.partitions ?? [];
    return listed.map((p) => ({ partition: p.partitionIndex, offset: p.offset, timestamp: p.timestamp })).sort((a, b) => a.partition - b.partition);
  }

  /** Topic configs as name → value (those with a value), and the ones set on the topic itself. */
  async topicConfigs(topic: string): Promise<{ all: Map<string, string>; overrides: Map<string, string> }> {
    const described = await this.#call(`describing configs of ${topic}`, () =>
      this.#admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: topic }] }),
    );
    const all = new Map<string, string>();
    const overrides = new Map<string, string>();
    for (const entry of described[0]?.configs ?? []) {
      if (typeof entry.value !== 'string' || entry.isSensitive) continue;
      all.set(entry.name, entry.value);
      if (entry.configSource === DYNAMIC_TOPIC_CONFIG) overrides.set(entry.name, entry.value);
    }
    return { all, overrides };
  }

  /**
   * Bytes on disk per partition (DescribeLogDirs; the largest replica's), or null when the
   * cluster does not say (e.g. no DESCRIBE permission on the cluster).
   */
  async partitionSizes(topic: string, partitions: number[]): Promise<Map<number, number> | null> {
    try {
      const brokers = await this.#admin.describeLogDirs({ topics: [{ name: topic, partitions }] });
      const sizes = new Map<number, number>();
      for (const broker of brokers) {
        for (const dir of broker.results) {
          for (const p of dir.topics.find((t) => t.name === topic)?.partitions ?? []) {
            if (!p.isFutureKey) sizes.set(p.partitionIndex, Math.max(sizes.get(p.partitionIndex) ?? 0, Number(p.partitionSize)));
          }
        }
      }
      return sizes;
    } catch {
      return null;
    }
  }

  async createTopic(name: string, partitions: number, configs: Map<string, string>): Promise<void> {
    await this.#call(`creating topic ${name}`, () =>
      this.#admin.createTopics({
        topics: [name],
        partitions,
        replicas: -1,
        configs: [...configs].map(([configName, value]) => ({ name: configName, value })),
      }),
    );
    // A new topic takes a moment to reach every broker's metadata; later steps must see it.
    for (let attempt = 0; attempt < 100; attempt++) {
      // Until then a broker may answer that it does not know the topic at all.
      const topic = (await this.metadata([name]).catch(() => null))?.topics.get(name);
      if (topic && topic.partitions.length === partitions && topic.partitions.every((p) => p && p.leader >= 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new KrerouteError('KAFKA', `topic ${name} was created on ${this.label} but has no leaders after 10 s`);
  }

  /** DeleteRecords up to (excluding) each offset; returns the new log start offsets. */
  async deleteRecordsBefore(topic: string, offsets: Map<number, bigint>): Promise<Map<number, bigint>> {
    const deleted = await this.#call(`deleting records of ${topic}`, () =>
      this.#admin.deleteRecords({
        topics: [{ name: topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset })) }],
      }),
    );
    const result = new Map<number, bigint>();
    for (const p of deleted.find((t) => t.name === topic)?.partitions ?? []) result.set(p.partition, p.lowWatermark);
    return result;
  }

  /**
   * The current leader of a partition and its address (metadata refreshed when asked: one
   * Metadata request for all topics, shared by the partitions that ask at the same time).
   */
  /** A consumer group's committed offsets on a topic's partitions (OffsetFetch); a partition without one is absent. */
  async committedOffsets(group: string, topic: string, partitions: number[]): Promise<Map<number, bigint>> {
    const listed = await this.#call(`reading the offsets of group ${group}`, () =>
      this.#admin.listConsumerGroupOffsets({ groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: partitions }] }], requireStable: true }),
    );
    const found = listed[0]?.topics.find((t) => t.name === topic)?.partitions ?? [];
    return new Map(found.filter((p) => p.committedOffset >= 0n).map((p) => [p.partitionIndex, p.committedOffset]));
  }

  /** A consumer group's state and how many members it has now (DescribeGroups): none for a group that does not exist. */
  async groupActivity(group: string): Promise<{ state: string; members: number }> {
    const described = await this.#call(`describing group ${group}`, () => this.#admin.describeGroups({ groups: [group] }));
    const found = described.get(group);
    return { state: found?.state ?? 'Dead', members: found?.members.size ?? 0 };
  }

  /** Commits offsets for a group that has no active member (OffsetCommit from outside the group). */
  async commitOffsets(group: string, topic: string, offsets: Map<number, bigint>): Promise<void> {
    await this.#call(`committing the offsets of group ${group}`, () =>
      this.#admin.alterConsumerGroupOffsets({
        groupId: group,
        topics: [{ name: topic, partitionOffsets: [...offsets].map(([partition, offset]) => ({ partition, offset })) }],
      }),
    );
  }

  async leaderOf(topic: string, partition: number, refresh = false): Promise<LeaderAddress> {
    const metadata = await this.#leaders.metadataFor(topic, refresh);
    const leader = metadata.topics.get(topic)?.partitions[partition];
    const broker = leader && leader.leader >= 0 ? metadata.brokers.get(leader.leader) : undefined;
    if (!leader || !broker) throw new KrerouteError('KAFKA', `no leader for ${topic}[${partition}] on ${this.label}`);
    return { nodeId: leader.leader, host: broker.host, port: broker.port, leaderEpoch: leader.leaderEpoch };
  }

  /** A connection to the current leader of a partition (metadata refreshed when asked). */
  async leaderConnection(topic: string, partition: number, refresh = false): Promise<{ connection: Connection; leaderEpoch: number }> {
    const leader = await this.leaderOf(topic, partition, refresh);
    return { connection: await this.brokerConnection(leader.nodeId), leaderEpoch: leader.leaderEpoch };
  }

  /** A connection to one broker by its node id (e.g. a transaction coordinator). */
  async brokerConnection(nodeId: number): Promise<Connection> {
    const connections = await this.#call(`connecting to broker ${nodeId}`, () => this.#admin.connectToBrokers([nodeId]));
    const connection = connections.get(nodeId);
    if (!connection) throw new KrerouteError('UNREACHABLE', `cannot connect to broker ${nodeId} of ${this.label}`);
    return connection;
  }

  /**
   * A live broker's connection, for cluster-wide requests such as InitProducerId and
   * FindCoordinator: the brokers are taken in turn, and one that cannot be reached is passed over.
   */
  async anyConnection(): Promise<Connection> {
    const metadata = this.#metadata ?? (await this.metadata());
    return this.#rotation.first([...metadata.brokers.keys()], (nodeId) => this.brokerConnection(nodeId));
  }

  /** Runs `closer` when this cluster is closed (connections opened beside the admin client's). */
  onClose(closer: () => void): void {
    this.#closers.add(closer);
  }

  async close(): Promise<void> {
    for (const closer of this.#closers) closer();
    this.#closers.clear();
    await this.#admin.close().catch(() => undefined);
  }
}
