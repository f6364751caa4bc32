import { Admin } from '@platformatic/kafka';

/**
 * Sets (or with `bytesPerSec` null removes) a produce quota on a cluster: for one client.id, or
 * with `clientId` null for the default entity (`kafka-configs --entity-type clients
 * --entity-default`) — that one only on clusters of a test's own, never on the shared ones.
 */
export async function setProduceQuota(bootstrap: string, clientId: string | null, bytesPerSec: number | null): Promise<void> {
  const admin = new Admin({ clientId: 'kreroute-test-quota', bootstrapBrokers: bootstrap.split(',') });
  try {
    const ops =
      bytesPerSec === null
        ? [{ key: 'producer_byte_rate' as const, remove: true as const }]
        : [{ key: 'producer_byte_rate' as const, value: bytesPerSec, remove: false as const }];
    const entries = await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'client-id', entityName: clientId }], ops }] });
    const failed = entries.find((e) => e.errorCode !== 0);
    if (failed) throw new Error(`AlterClientQuotas for ${clientId ?? 'the default client'} failed: ${failed.errorCode} ${failed.errorMessage ?? ''}`);
  } finally {
    await admin.close();
  }
}
