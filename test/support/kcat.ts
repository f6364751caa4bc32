import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KcatRecord {
  partition: number;
  offset: number;
  ts: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

/**
 * An oracle no one here wrote: Debian's kcat dumps `count` records of a partition from `offset`
 * as JSON lines. Its JSON is made for text, so the dumps are compared with each other, not with
 * the bytes we wrote.
 */
export async function kcatDump(bootstrap: string, topic: string, partition: number, offset: bigint, count: number): Promise<KcatRecord[]> {
  if (count === 0) return [];
  const { stdout } = await run(
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
      String(offset),
      '-c',
      String(count),
      '-J',
      '-e',
      '-q',
      '-X',
      'isolation.level=read_committed',
    ],
    { maxBuffer: 1024 * 1024 * 1024, timeout: 120_000 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as KcatRecord);
}

/** What must survive a copy, as kcat shows it (offsets and partitions differ by design). */
export function content(records: KcatRecord[]): Array<Pick<KcatRecord, 'ts' | 'key' | 'payload' | 'headers'>> {
  return records.map(({ ts, key, payload, headers }) => ({ ts, key, payload, headers: headers ?? [] }));
}

/** Writes `lines` (key, tab, value) with Debian's kcat, a producer no one here wrote (librdkafka); `args` add to `kcat -P -b … -t … -K TAB`. */
export function kcatProduce(bootstrap: string, topic: string, lines: string[], args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-P', '-b', bootstrap, '-t', topic, '-K', '\t', ...args], { stdio: ['pipe', 'ignore', 'pipe'], timeout: 60_000 });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited with ${code}: ${stderr.trim()}`))));
    child.stdin.end(lines.map((line) => `${line}\n`).join(''));
  });
}
