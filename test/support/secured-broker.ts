// A broker of a test file's own whose client listener takes SASL (PLAIN for the admin, and SCRAM or
// OAUTHBEARER as asked), with helpers to seed topics on it as the admin.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientSettings } from '../../src/index.ts';
import { KafkaCluster } from '../../src/kafka/client/cluster.ts';
import { IdempotentProducer } from '../../src/kafka/produce/idempotent-producer.ts';
import { type LocalCluster, startLocalCluster } from '../../src/local/local-cluster.ts';
import type { LocalSecurity } from '../../src/local/secure-broker-config.ts';
import { uniqueName } from './clusters.ts';
import { record } from './fixtures.ts';

export interface SecuredBroker {
  cluster: LocalCluster;
  /** PLAIN as the super user. */
  admin: ClientSettings;
  /** A new topic holding `count` records in each partition, written in batches of `batch` records. */
  seededTopic(prefix: string, partitions?: number, count?: number, batch?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startSecuredBroker(name: string, security: LocalSecurity): Promise<SecuredBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), `kreroute-${name}-`));
  const cluster = await startLocalCluster({ name, dataDir, security, startTimeoutMs: 90_000 });
  const admin: ClientSettings = {
    bootstrap: [cluster.bootstrap],
    sasl: { mechanism: 'PLAIN', username: security.superUser, password: security.saslPlainUsers[security.superUser] as string },
  };
  return {
    cluster,
    admin,
    seededTopic: async (prefix, partitions = 1, count = 20, batch = count) => {
      const topic = uniqueName(prefix);
      const kafka = new KafkaCluster(admin, name);
      try {
        await kafka.createTopic(topic, partitions, new Map());
        const producer = await IdempotentProducer.create(kafka);
        await Promise.all(
          Array.from({ length: partitions }, async (_, p) => {
            for (let first = 0; first < count; first += batch) {
              const size = Math.min(batch, count - first);
              await producer.send(
                topic,
                p,
                Array.from({ length: size }, (_, i) => record(`k${p}-${first + i}`, `v${first + i}`)),
              );
            }
          }),
        );
      } finally {
        await kafka.close();
      }
      return topic;
    },
    stop: async () => {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
