import { writeFileAtomic } from '../../common/atomic-file.ts';
import type { MetricsPage } from './metrics-server.ts';

/**
 * Writes the exposition to a file for node_exporter's textfile collector: replaced atomically
 * (the collector never reads half a file), and left in place when the command ends, so that the
 * job's last values stay readable.
 */
export function metricsTextfile(path: string, render: () => Promise<MetricsPage>): () => Promise<void> {
  return async () => writeFileAtomic(path, (await render()).body);
}
