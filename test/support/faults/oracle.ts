import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { javaExecutable } from '../../../src/local/paths.ts';
import { type Proc, spawnTracked, tail } from './processes.ts';

/**
 * The fault suite's oracle, made of tools no one here wrote: Kafka's VerifiableProducer writes the
 * source and says, for every record the brokers acknowledged, its partition and offset; kcat reads
 * the destination with read_committed. What kreroute's own verify says is checked separately.
 */

/** Values per partition, in offset order. */
export type PartitionValues = Map<number, string[]>;

export interface LoadResult {
  values: PartitionValues;
  acked: number;
  seconds: number;
}

/**
 * `org.apache.kafka.tools.VerifiableProducer`: `messages` records (values "<prefix>.<n>", n from 0,
 * no key) with acks=all and the idempotent producer (Kafka's default). It prints a JSON line per
 * acknowledged record; those lines are the truth about what the source holds.
 */
export async function verifiableProduce(input: {
  libsDir: string;
  bootstrap: string;
  topic: string;
  messages: number;
  valuePrefix: number;
  workDir: string;
  timeoutMs: number;
}): Promise<LoadResult> {
  const started = Date.now();
  const config = join(input.workDir, `verifiable-producer-${input.topic}.properties`);
  // Batches of 32 KiB (about 1500 of these records) and a little linger: 500k records in seconds,
  // and batches small enough that a throttled copy (--max-rate) still moves in small steps.
  await writeFile(
    config,
    'acks=all\nenable.idempotence=true\nlinger.ms=10\nbatch.size=32768\nbuffer.memory=67108864\nmax.in.flight.requests.per.connection=5\nretries=2147483647\ndelivery.timeout.ms=300000\n',
  );
  const found: Array<Array<[number, string]>> = [];
  let acked = 0;
  const errors: string[] = [];
  const proc: Proc = spawnTracked(
    javaExecutable(),
    [
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-cp',
      join(input.libsDir, '*'),
      'org.apache.kafka.tools.VerifiableProducer',
      '--bootstrap-server',
      input.bootstrap,
      '--topic',
      input.topic,
      '--max-messages',
      String(input.messages),
      '--throughput',
      '-1',
      '--acks',
      '-1',
      '--value-prefix',
      String(input.valuePrefix),
      '--command-config',
      config,
    ],
    {
      onStdoutLine: (line) => {
        if (!line.startsWith('{')) return;
        // Parsing 500k JSON lines fully is slow; the success lines have a fixed shape.
        if (line.includes('"producer_send_success"')) {
          const partition = /"partition":(\d+)/.exec(line);
          const offset = /"offset":(\d+)/.exec(line);
          const value = /"value":"([^"]*)"/.exec(line);
          if (!partition || !offset || !value) throw new Error(`unexpected VerifiableProducer line: ${line}`);
          (found[Number(partition[1])] ??= []).push([Number(offset[1]), value[1]!]);
          acked++;
        } else if (line.includes('"producer_send_error"')) {
          errors.push(line);
        }
      },
    },
  );
  const exit = await proc.waitExit(input.timeoutMs, 'VerifiableProducer');
  if (exit.code !== 0 || errors.length > 0 || acked !== input.messages) {
    throw new Error(
      `VerifiableProducer: exit ${exit.code ?? exit.signal}, ${acked}/${input.messages} acked, ${errors.length} send errors ${errors.slice(0, 3).join(' ')}\n${tail(proc.stderr())}`,
    );
  }
  const values: PartitionValues = new Map();
  for (const [partition, list] of found.entries()) {
    if (!list) continue;
    list.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < list.length; i++) {
      if (list[i]![0] === list[i - 1]![0]) throw new Error(`VerifiableProducer acknowledged offset ${list[i]![0]} of partition ${partition} twice`);
    }
    values.set(
      partition,
      list.map(([, v]) => v),
    );
  }
  return { values, acked, seconds: (Date.now() - started) / 1000 };
}

/**
 * The values of one partition as a read_committed consumer (kcat, librdkafka) sees them, from the
 * log start (or `from`) to the end: aborted records and control records are not shown.
 */
export async function kcatValues(
  bootstrap: string,
  topic: string,
  partition: number,
  options: { from?: bigint; readUncommitted?: boolean; format?: string; timeoutMs?: number } = {},
): Promise<string[]> {
  const values: string[] = [];
  const isolation = options.readUncommitted ? 'read_uncommitted' : 'read_committed';
  const proc = spawnTracked(
    'kcat',
    [
      '-C',
      '-b',
      bootstrap,
      '-t',
      topic,
      '-p',
      String(partition),
      '-o',
      options.from === undefined ? 'beginning' : String(options.from),
      '-e',
      '-q',
      '-X',
      `isolation.level=${isolation}`,
      '-f',
      `${options.format ?? '%s'}\\n`,
    ],
    { onStdoutLine: (line) => values.push(line) },
  );
  const exit = await proc.waitExit(options.timeoutMs ?? 180_000, `kcat reading ${topic}[${partition}]`);
  if (exit.code !== 0) throw new Error(`kcat reading ${topic}[${partition}]: ${exit.code ?? exit.signal}\n${tail(proc.stderr())}`);
  return values;
}

/** Offsets that hold a committed record (kcat -f %o). */
export async function kcatOffsets(bootstrap: string, topic: string, partition: number): Promise<bigint[]> {
  return (await kcatValues(bootstrap, topic, partition, { format: '%o' })).map((o) => BigInt(o));
}

/** kcatValues for partitions 0..count-1. */
export async function kcatTopic(bootstrap: string, topic: string, partitions: number): Promise<PartitionValues> {
  const result: PartitionValues = new Map();
  for (let p = 0; p < partitions; p++) result.set(p, await kcatValues(bootstrap, topic, p));
  return result;
}

export interface Comparison {
  expected: number;
  found: number;
  /** Expected values absent from the destination. */
  lost: number;
  /** Copies beyond the first of an expected value. */
  duplicated: number;
  /** Values on the destination that the source never had. */
  foreign: number;
  /** Places where the first copies are not in source order. */
  outOfOrder: number;
  /** A few examples per kind, for the failure message. */
  examples: string[];
}

/**
 * Checks the destination against the source, partition by partition: every expected value present
 * (no loss), at most once (no duplicates), nothing else, and — taking each value's first copy — in
 * the source's order.
 */
export function compare(expected: PartitionValues, actual: PartitionValues): Comparison {
  const result: Comparison = { expected: 0, found: 0, lost: 0, duplicated: 0, foreign: 0, outOfOrder: 0, examples: [] };
  const example = (text: string) => {
    if (result.examples.length < 12) result.examples.push(text);
  };
  const partitions = new Set([...expected.keys(), ...actual.keys()]);
  for (const partition of [...partitions].sort((a, b) => a - b)) {
    const want = expected.get(partition) ?? [];
    const got = actual.get(partition) ?? [];
    result.expected += want.length;
    result.found += got.length;
    const position = new Map<string, number>();
    for (const [i, v] of want.entries()) {
      if (position.has(v)) throw new Error(`oracle: value ${v} is twice in source partition ${partition}; values must be unique`);
      position.set(v, i);
    }
    const seen = new Uint8Array(want.length);
    let last = -1;
    for (const v of got) {
      const i = position.get(v);
      if (i === undefined) {
        result.foreign++;
        example(`partition ${partition}: unexpected value ${v.slice(0, 40)}`);
        continue;
      }
      if (seen[i]) {
        result.duplicated++;
        example(`partition ${partition}: duplicate of ${v.slice(0, 40)} (source position ${i})`);
        continue;
      }
      seen[i] = 1;
      if (i < last) {
        result.outOfOrder++;
        example(`partition ${partition}: ${v.slice(0, 40)} (source position ${i}) after source position ${last}`);
      }
      last = i;
    }
    for (let i = 0; i < want.length; i++) {
      if (!seen[i]) {
        result.lost++;
        example(`partition ${partition}: lost ${want[i]!.slice(0, 40)} (source position ${i})`);
      }
    }
  }
  return result;
}

export function describeComparison(c: Comparison): string {
  return `expected ${c.expected}, found ${c.found}: lost ${c.lost}, duplicated ${c.duplicated}, foreign ${c.foreign}, out of order ${c.outOfOrder}${c.examples.length ? `\n  ${c.examples.join('\n  ')}` : ''}`;
}

/**
 * `org.apache.kafka.tools.TransactionalMessageCopier` (Kafka's own system-test copier): copies
 * input partition p to output partition p in transactions of `transactionSize` records, aborting
 * about a third of them at random and sending their records again — so the output holds aborted
 * records and control records, and its committed records are the input's, each once, in order.
 */
export async function transactionalCopier(input: {
  libsDir: string;
  bootstrap: string;
  inputTopic: string;
  partition: number;
  outputTopic: string;
  transactionSize: number;
  timeoutMs: number;
}): Promise<void> {
  const id = `${input.outputTopic}-tmc-${input.partition}`;
  let last = '';
  const proc = spawnTracked(
    javaExecutable(),
    [
      '-Xmx192m',
      '-XX:+UseSerialGC',
      '-cp',
      join(input.libsDir, '*'),
      'org.apache.kafka.tools.TransactionalMessageCopier',
      '--broker-list',
      input.bootstrap,
      '--input-topic',
      input.inputTopic,
      '--input-partition',
      String(input.partition),
      '--output-topic',
      input.outputTopic,
      '--transactional-id',
      id,
      '--consumer-group',
      id,
      '--transaction-size',
      String(input.transactionSize),
      '--enable-random-aborts',
    ],
    { onStdoutLine: (line) => (last = line.startsWith('{') ? line : last) },
  );
  const exit = await proc.waitExit(input.timeoutMs, `TransactionalMessageCopier of partition ${input.partition}`);
  if (exit.code !== 0) throw new Error(`TransactionalMessageCopier of partition ${input.partition}: ${exit.code ?? exit.signal}\n${tail(proc.stderr())}`);
  const progress = JSON.parse(last || '{}') as { remaining?: number };
  if (progress.remaining !== 0)
    throw new Error(`TransactionalMessageCopier of partition ${input.partition} ended with ${progress.remaining} remaining: ${last}`);
}

/**
 * compare() for a copy whose records change partition (mapping "key-hash"): each source value at
 * most once anywhere on the destination, none lost, nothing foreign, and on every destination
 * partition the values of each source partition in source order (so order per key holds).
 */
export function compareSpread(expected: PartitionValues, actual: PartitionValues): Comparison {
  const result: Comparison = { expected: 0, found: 0, lost: 0, duplicated: 0, foreign: 0, outOfOrder: 0, examples: [] };
  const example = (text: string) => {
    if (result.examples.length < 12) result.examples.push(text);
  };
  const position = new Map<string, { partition: number; index: number }>();
  for (const [partition, values] of expected) {
    result.expected += values.length;
    for (const [index, v] of values.entries()) {
      if (position.has(v)) throw new Error(`oracle: value ${v} is twice in the source; values must be unique`);
      position.set(v, { partition, index });
    }
  }
  const seen = new Set<string>();
  for (const [partition, values] of actual) {
    result.found += values.length;
    const last = new Map<number, number>();
    for (const v of values) {
      const at = position.get(v);
      if (!at) {
        result.foreign++;
        example(`destination partition ${partition}: unexpected value ${v.slice(0, 40)}`);
        continue;
      }
      if (seen.has(v)) {
        result.duplicated++;
        example(`destination partition ${partition}: duplicate of ${v.slice(0, 40)}`);
        continue;
      }
      seen.add(v);
      if (at.index < (last.get(at.partition) ?? -1)) {
        result.outOfOrder++;
        example(`destination partition ${partition}: ${v.slice(0, 40)} before an earlier record of source partition ${at.partition}`);
      }
      last.set(at.partition, at.index);
    }
  }
  for (const v of position.keys()) {
    if (!seen.has(v)) {
      result.lost++;
      example(`lost ${v.slice(0, 40)}`);
    }
  }
  return result;
}

/** kcatTopic for a topic of many partitions: one kcat reading them all (`%p` tells each value's partition). */
export async function kcatWholeTopic(bootstrap: string, topic: string): Promise<PartitionValues> {
  const result: PartitionValues = new Map();
  const proc = spawnTracked(
    'kcat',
    ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%p\\t%s\\n'],
    {
      onStdoutLine: (line) => {
        const tab = line.indexOf('\t');
        const partition = Number(line.slice(0, tab));
        const list = result.get(partition);
        if (list) list.push(line.slice(tab + 1));
        else result.set(partition, [line.slice(tab + 1)]);
      },
    },
  );
  const exit = await proc.waitExit(300_000, `kcat reading ${topic}`);
  if (exit.code !== 0) throw new Error(`kcat reading ${topic}: ${exit.code ?? exit.signal}\n${tail(proc.stderr())}`);
  return result;
}
