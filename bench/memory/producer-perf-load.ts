import path from 'node:path';
import { measure } from '../measure.ts';
import { javaCommand } from '../tools/java.ts';

export interface PerfLoad {
  libsDir: string;
  bootstrap: string;
  topic: string;
  records: number;
  valueBytes: number;
  logFile: string;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Appends `records` records of `valueBytes` bytes (no key, no headers, uncompressed) to `topic`
 * with Kafka's own ProducerPerformance: about ten times the rate of bench/loader.ts here (100M
 * records in minutes, not hours), because batches of 1 MiB go out without a Node client building
 * every record. The producer spreads records over the partitions itself (sticky, not i % n).
 */
export async function loadWithProducerPerf(load: PerfLoad): Promise<{ seconds: number }> {
  const args = [
    '--bootstrap-server',
    load.bootstrap,
    '--topic',
    load.topic,
    '--num-records',
    String(load.records),
    '--record-size',
    String(load.valueBytes),
    '--throughput',
    '-1',
    '--command-property',
    'acks=1',
    'linger.ms=20',
    'batch.size=1048576',
    'max.request.size=10485760',
    'buffer.memory=268435456',
    'compression.type=none',
  ];
  const m = await measure({
    ...javaCommand(load.libsDir, 'org.apache.kafka.tools.ProducerPerformance', args, '1g', load.logFile),
    logFile: load.logFile,
    timeoutMs: load.timeoutMs,
    signal: load.signal,
  });
  if (m.outcome !== 'exited' || m.exitCode !== 0) {
    throw new Error(`loading ${load.topic}: ProducerPerformance ${m.outcome} (exit ${m.exitCode}); see ${path.basename(load.logFile)}`);
  }
  return { seconds: m.wallSeconds };
}
