import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { measure } from '../measure.ts';
import { javaCommand } from './java.ts';
import { type Tool, type ToolContext, type ToolResult, destinationName, freshDestinationTopic } from './tool.ts';

/** As bin/kafka-consumer-perf-test.sh and kafka-producer-perf-test.sh set it. */
const HEAP = '512m';

/** Ceiling, read side: Kafka's ConsumerPerformance reads the whole source topic and discards it. */
export const consumerPerfTool: Tool = {
  name: 'consumer-perf',
  summary: 'ceiling: org.apache.kafka.tools.ConsumerPerformance reading the source topic',
  run: async (context) => {
    const { profile, factory, source } = context;
    const logFile = path.join(context.workDir, 'consumer-perf.log');
    const args = [
      '--bootstrap-server',
      source.bootstrap,
      '--topic',
      context.sourceTopic,
      '--num-records',
      String(profile.records),
      '--group',
      `bench-${randomBytes(4).toString('hex')}`,
      '--timeout',
      '60000',
    ];
    const measured = await measure({
      ...javaCommand(context.libsDir, 'org.apache.kafka.tools.ConsumerPerformance', args, HEAP, logFile),
      logFile,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
    });
    const report = await consumerReport(logFile);
    return {
      ...measured,
      records: profile.records,
      bytes: profile.records * factory.recordBytes,
      expected: profile.records,
      found: report?.records ?? 0,
      ...(report ? { steadyRecordsPerSec: report.fetchRecordsPerSec } : {}),
      details: { selfReported: report ?? null },
    };
  },
};

/** Ceiling, write side: Kafka's ProducerPerformance writes as many records of the value size to a fresh topic. */
export const producerPerfTool: Tool = {
  name: 'producer-perf',
  summary: 'ceiling: org.apache.kafka.tools.ProducerPerformance writing N records of the value size (no key, no headers), acks=all',
  run: async (context) => {
    const { profile, destination } = context;
    const destinationTopic = await freshDestinationTopic(context, destinationName(context, 'producer-perf'));
    const logFile = path.join(context.workDir, 'producer-perf.log');
    const args = [
      '--bootstrap-server',
      destination.bootstrap,
      '--topic',
      destinationTopic,
      '--num-records',
      String(profile.records),
      '--record-size',
      String(profile.valueBytes),
      '--throughput',
      '-1',
      '--command-property',
      'acks=all',
      'linger.ms=5',
      'batch.size=524288',
    ];
    const progress = () => destination.endOffsetSum(destinationTopic, profile.partitions);
    const measured = await measure({
      ...javaCommand(context.libsDir, 'org.apache.kafka.tools.ProducerPerformance', args, HEAP, logFile),
      logFile,
      timeoutMs: context.timeoutMs,
      progress,
      target: profile.records,
      signal: context.signal,
    });
    return {
      ...measured,
      records: profile.records,
      bytes: profile.records * profile.valueBytes,
      expected: profile.records,
      found: await destination.countRecords(destinationTopic, context.timeoutMs),
      details: { selfReported: (await producerReport(logFile)) ?? null },
    };
  },
};

/** ConsumerPerformance's result line: start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, … */
async function consumerReport(
  logFile: string,
): Promise<{ records: number; recordsPerSec: number; mbPerSec: number; fetchMs: number; fetchRecordsPerSec: number } | undefined> {
  const lines = (await readFile(logFile, 'utf8').catch(() => '')).split('\n');
  const header = lines.findIndex((l) => l.startsWith('start.time'));
  const values = header >= 0 ? lines[header + 1]?.split(',').map((v) => v.trim()) : undefined;
  if (!values || values.length < 10) return undefined;
  return {
    mbPerSec: Number(values[3]),
    records: Number(values[4]),
    recordsPerSec: Number(values[5]),
    fetchMs: Number(values[7]),
    fetchRecordsPerSec: Number(values[9]),
  };
}

/** ProducerPerformance's last line: "N records sent, X records/sec (Y MB/sec), …". */
async function producerReport(logFile: string): Promise<{ records: number; recordsPerSec: number; mbPerSec: number } | undefined> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const matches = [...text.matchAll(/(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/g)];
  const last = matches.at(-1);
  return last ? { records: Number(last[1]), recordsPerSec: Number(last[2]), mbPerSec: Number(last[3]) } : undefined;
}
