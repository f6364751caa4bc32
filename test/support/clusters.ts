import { randomBytes } from 'node:crypto';

export interface TestClusters {
  source: string;
  destination: string;
  /** Broker log files, when the clusters were started by test/support/global-setup.ts. */
  sourceLog?: string;
  destinationLog?: string;
}

/**
 * Bootstrap addresses of the two test clusters: from KREROUTE_TEST_SOURCE_BOOTSTRAP and
 * KREROUTE_TEST_DEST_BOOTSTRAP, set by the user for existing clusters or by the global setup.
 */
export function getTestClusters(): TestClusters {
  const source = process.env['KREROUTE_TEST_SOURCE_BOOTSTRAP'];
  const destination = process.env['KREROUTE_TEST_DEST_BOOTSTRAP'];
  if (!source || !destination) {
    throw new Error(
      'no test clusters: run the tests with `npm test` (its global setup starts two brokers), ' +
        'or set KREROUTE_TEST_SOURCE_BOOTSTRAP and KREROUTE_TEST_DEST_BOOTSTRAP',
    );
  }
  const sourceLog = process.env['KREROUTE_TEST_SOURCE_LOG'];
  const destinationLog = process.env['KREROUTE_TEST_DEST_LOG'];
  return {
    source,
    destination,
    ...(sourceLog ? { sourceLog } : {}),
    ...(destinationLog ? { destinationLog } : {}),
  };
}

/** A topic or group name no other test (or earlier run against the same cluster) uses. */
export function uniqueName(prefix: string): string {
  const safe = prefix.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 200);
  return `${safe}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
