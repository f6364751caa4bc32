import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';

/**
 * The independent check of a copy: kcat (librdkafka, read_committed) reads each source partition
 * and its destination partition to their ends. Per side: the record count, a sha256 over every
 * record's timestamp, key, headers and value in offset order, and every record's `trace-id` header
 * (unique per loaded record, see bench/record-gen.ts). Lost = source ids missing on the destination;
 * duplicated = destination records beyond one per id; equal digests = same records, same order.
 */
export interface PartitionCheck {
  partition: number;
  source: number;
  destination: number;
  lost: number;
  duplicated: number;
  /** Destination ids the source does not have. */
  extra: number;
  sameSequence: boolean;
}

export interface OracleResult {
  partitions: PartitionCheck[];
  source: number;
  destination: number;
  lost: number;
  duplicated: number;
  extra: number;
  allSameSequence: boolean;
  seconds: number;
}

interface Scan {
  count: number;
  digest: string;
  ids: string[];
}

const TRACE = Buffer.from('trace-id=');
const ID_LENGTH = 16;
/** Partitions read at once (two kcat processes each). */
const PARALLEL = 2;

function scanPartition(bootstrap: string, topic: string, partition: number, timeoutMs: number): Promise<Scan> {
  const args = [
    '-C',
    '-b',
    bootstrap,
    '-t',
    topic,
    '-p',
    String(partition),
    '-o',
    'beginning',
    '-e',
    '-q',
    '-X',
    'isolation.level=read_committed',
    '-f',
    '%T\\t%k\\t%h\\t%s\\n',
  ];
  const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const hash = createHash('sha256');
  const ids: string[] = [];
  let count = 0;
  let rest: Buffer = Buffer.alloc(0);
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const at = buf.indexOf(TRACE, start);
      ids.push(at !== -1 && at < nl ? buf.toString('latin1', at + TRACE.length, at + TRACE.length + ID_LENGTH) : `?${count}`);
      count++;
      start = nl + 1;
    }
    rest = Buffer.from(buf.subarray(start));
  });
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`kcat ${args.join(' ')} failed (exit ${code}): ${stderr.trim()}`));
      else if (rest.length > 0) reject(new Error(`kcat ${topic}/${partition}: output ends without a newline`));
      else resolve({ count, digest: hash.digest('hex'), ids });
    });
  });
}

function compare(partition: number, source: Scan, destination: Scan): PartitionCheck {
  const wanted = new Set(source.ids);
  const seen = new Set<string>();
  let duplicated = 0;
  let extra = 0;
  for (const id of destination.ids) {
    if (seen.has(id)) duplicated++;
    else {
      seen.add(id);
      if (!wanted.has(id)) extra++;
    }
  }
  let lost = 0;
  for (const id of wanted) if (!seen.has(id)) lost++;
  return { partition, source: source.count, destination: destination.count, lost, duplicated, extra, sameSequence: source.digest === destination.digest };
}

/** Source partition p against destination partition p (mapping `same`), for every partition. */
export async function checkCopy(input: {
  source: string;
  destination: string;
  sourceTopic: string;
  destinationTopic: string;
  partitions: number;
  timeoutMs: number;
}): Promise<OracleResult> {
  const started = performance.now();
  const checks: PartitionCheck[] = [];
  const queue = [...Array(input.partitions).keys()];
  const worker = async () => {
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
      const [s, d] = await Promise.all([
        scanPartition(input.source, input.sourceTopic, p, input.timeoutMs),
        scanPartition(input.destination, input.destinationTopic, p, input.timeoutMs),
      ]);
      checks.push(compare(p, s, d));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  checks.sort((a, b) => a.partition - b.partition);
  const sum = (f: (c: PartitionCheck) => number) => checks.reduce((total, c) => total + f(c), 0);
  return {
    partitions: checks,
    source: sum((c) => c.source),
    destination: sum((c) => c.destination),
    lost: sum((c) => c.lost),
    duplicated: sum((c) => c.duplicated),
    extra: sum((c) => c.extra),
    allSameSequence: checks.every((c) => c.sameSequence),
    seconds: (performance.now() - started) / 1000,
  };
}
