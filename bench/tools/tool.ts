import type { Measurement } from '../measure.ts';
import type { Profile } from '../profiles.ts';
import type { RecordFactory } from '../record-gen.ts';
import type { StepFigures } from '../steps.ts';
import type { BenchTopics } from '../topics.ts';
import type { SaslSslAccess } from '../sasl-ssl.ts';

/** What every tool runner gets for one run on one profile. */
export interface ToolContext {
  profile: Profile;
  factory: RecordFactory;
  source: BenchTopics;
  destination: BenchTopics;
  /** The loaded source topic. */
  sourceTopic: string;
  /** Folder of Kafka jars (for the Java tools). */
  libsDir: string;
  /** A fresh folder for this run's logs and files. */
  workDir: string;
  /** Used to make topic names unique per run. */
  runId: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** For a profile over SASL_SSL: how the copy reaches each side (source and destination stay the PLAINTEXT chores). */
  saslSsl?: { source: SaslSslAccess; destination: SaslSslAccess };
}

export interface ToolResult extends Measurement {
  /** Source records the tool had to process (read, or for the producer ceiling, write). */
  records: number;
  /** Bytes those records carry (key + value + headers), for MB/s and CPU s/GB. */
  bytes: number;
  /** Records expected on the destination, and those a read_committed consumer finds there after the run (consumer-perf: those it read). */
  expected: number;
  found: number;
  /** The tool's own steady rate, when it reports one (ConsumerPerformance: records/s while fetching). */
  steadyRecordsPerSec?: number;
  /** Facts about how the tool was run, kept in the JSON results. */
  details: Record<string, unknown>;
  /** A job's steps (e.g. plan, copy, verify), each measured by itself; the figures above are their sum. */
  steps?: StepFigures[];
}

export interface Tool {
  name: string;
  /** One line for the README and the results: what this runner does. */
  summary: string;
  /** At-least-once: more records than expected on the destination (duplicates) is not a failure. */
  atLeastOnce?: boolean;
  /** Can copy over SASL_SSL (ToolContext.saslSsl); other tools skip such profiles. */
  saslSsl?: boolean;
  run(context: ToolContext): Promise<ToolResult>;
}

/** Creates a fresh destination topic with the profile's partition count and configs. */
export async function freshDestinationTopic(context: ToolContext, name: string): Promise<string> {
  await context.destination.create(name, context.profile.partitions, context.profile.destinationConfigs ?? context.profile.topicConfigs);
  return name;
}

export function destinationName(context: ToolContext, tool: string): string {
  return `${context.sourceTopic}.${tool}.${context.runId}`;
}

/** The result of a run that was to copy every source record into `destinationTopic`: counts what is there now. */
export async function copyResult(context: ToolContext, destinationTopic: string, measured: Measurement, details: Record<string, unknown>): Promise<ToolResult> {
  const { profile, factory, destination } = context;
  return {
    ...measured,
    records: profile.records,
    bytes: profile.records * factory.recordBytes,
    expected: profile.records,
    found: await destination.countRecords(destinationTopic, context.timeoutMs),
    details,
  };
}
