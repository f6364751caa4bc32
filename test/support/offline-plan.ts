import { sealPlan } from '../../src/plan/plan-file.ts';
import type { Plan } from '../../src/plan/plan.ts';

/**
 * A sealed plan of one partition of `orders` between two clusters that do not exist, for CLI tests
 * that must stop before any connection: `changes` replace its fields (a filter, failed checks).
 */
export function offlinePlan(changes: Partial<Omit<Plan, 'hash'>> = {}): Plan {
  return sealPlan({
    format: 'kreroute-plan',
    version: 1,
    createdAt: '2026-11-01T00:00:00.000Z',
    source: { clusterId: 'src', bootstrap: '127.0.0.1:1' },
    destination: { clusterId: 'dst', bootstrap: '127.0.0.1:2' },
    range: { from: 'earliest', to: 'latest' },
    filter: null,
    mapping: 'same',
    topics: [
      {
        source: 'orders',
        destination: 'orders',
        sourcePartitions: 1,
        destinationPartitions: 1,
        destinationMaxMessageBytes: 1048588,
        partitions: [{ partition: 0, start: '0', end: '10', destinationPartition: 0, upperBound: 10, exact: null }],
      },
    ],
    estimate: { records: 10, exact: false, bytes: 100, seconds: 1 },
    checks: [],
    ...changes,
  });
}
